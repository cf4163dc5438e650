#pragma once
// The three Discord REST calls Navigator makes: the OAuth2 code exchange, the logged-in user (/users/@me)
// and, with BOT_TOKEN, a user by id (to validate ids given to authorize-user). The API base comes from
// DISCORD_API_BASE so tests can point it at a local fake.
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkRequest;

namespace nav::auth {

struct DiscordSettings {
    QUrl apiBase; // e.g. https://discord.com/api/v10
    QString clientId;
    QString clientSecret;
    QString redirectUri;
    QString botToken;
    int timeoutMs = 15'000;
};

struct DiscordReply {
    bool ok = false;
    int httpStatus = 0; // 0 when Discord could not be reached or did not answer in time
    QJsonObject body;
    QString error; // for logs; set when !ok
};

class DiscordClient final : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const DiscordReply &)>;

    explicit DiscordClient(DiscordSettings settings, QObject *parent = nullptr);

    // POST /oauth2/token (form-encoded); the reply body holds access_token.
    void exchangeCode(const QString &code, Callback done);
    // GET /users/@me with the user's access token.
    void currentUser(const QString &accessToken, Callback done);
    // GET /users/:id with the bot token. Only meaningful when hasBotToken().
    void userById(const QString &discordId, Callback done);
    bool hasBotToken() const { return !m_settings.botToken.isEmpty(); }

private:
    QUrl endpoint(const QString &path) const;
    // Created on first call (see CivitaiClient::network): a run without Discord logins never needs one.
    QNetworkAccessManager *network();
    void send(QNetworkRequest request, const QByteArray &method, const QByteArray &body, Callback done);

    DiscordSettings m_settings;
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace nav::auth
