#pragma once
// A stand-in for the Discord REST API on a free loopback port, for login and authorize-user tests. Point
// DISCORD_API_BASE at url(). It knows a few users; an OAuth code is valid when addUser() registered it.
#include "server/http/HttpServer.h"

#include <QHash>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

namespace nav::test {

class FakeDiscord {
public:
    FakeDiscord(const QString &clientId, const QString &clientSecret, const QString &redirectUri,
                const QString &botToken);
    bool start();
    QUrl url() const; // e.g. http://127.0.0.1:PORT/api/v10

    // A Discord user with the given id; `code` becomes a valid OAuth code for them.
    void addUser(const QString &id, const QString &code = {});
    // The next token exchange answers with this status (e.g. 500), then behaviour returns to normal.
    void failNextExchange(int status) { m_failNextExchange = status; }

    QUrlQuery lastTokenForm() const { return m_lastForm; }
    int tokenExchanges() const { return m_exchanges; }
    int userLookups() const { return m_lookups; } // GET /users/:id calls that carried the bot token

private:
    QJsonObject user(const QString &id) const;

    http::HttpServer m_server;
    QString m_clientId, m_clientSecret, m_redirectUri, m_botToken;
    QHash<QString, QString> m_codeToUser;   // OAuth code -> user id
    QHash<QString, QString> m_accessToUser; // access token -> user id
    QSet<QString> m_users;
    QUrlQuery m_lastForm;
    int m_failNextExchange = 0;
    int m_exchanges = 0;
    int m_lookups = 0;
};

} // namespace nav::test
