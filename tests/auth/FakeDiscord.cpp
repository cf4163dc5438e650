#include "tests/auth/FakeDiscord.h"

#include <QHostAddress>

namespace nav::test {

FakeDiscord::FakeDiscord(const QString &clientId, const QString &clientSecret, const QString &redirectUri,
                         const QString &botToken)
    : m_server(http::ConnectionLimits{}), m_clientId(clientId), m_clientSecret(clientSecret),
      m_redirectUri(redirectUri), m_botToken(botToken) {
    m_server.post("/api/v10/oauth2/token", [this](const http::Request &req, http::Responder res) {
        ++m_exchanges;
        m_lastForm = QUrlQuery(QString::fromUtf8(req.body));
        if (m_failNextExchange) {
            const int status = m_failNextExchange;
            m_failNextExchange = 0;
            return res.json(status, QJsonObject{{"message", "fake failure"}});
        }
        const auto value = [this](const char *key) {
            return m_lastForm.queryItemValue(key, QUrl::FullyDecoded);
        };
        const QString code = value("code");
        const bool formOk = req.header("content-type").startsWith("application/x-www-form-urlencoded") &&
                            value("client_id") == m_clientId && value("client_secret") == m_clientSecret &&
                            value("grant_type") == "authorization_code" &&
                            value("redirect_uri") == m_redirectUri && value("scope") == "identify";
        if (!formOk || !m_codeToUser.contains(code))
            return res.json(400, QJsonObject{{"error", "invalid_grant"}});
        const QString access = QStringLiteral("access-") + code;
        m_accessToUser.insert(access, m_codeToUser.take(code)); // a code works once
        res.json(200, QJsonObject{{"access_token", access},
                                  {"token_type", "Bearer"},
                                  {"expires_in", 604800},
                                  {"scope", "identify"}});
    });
    m_server.get("/api/v10/users/:id", [this](const http::Request &req, http::Responder res) {
        const QString id = req.param("id");
        const QByteArray authorization = req.header("authorization");
        if (id == "@me") {
            const QString access = QString::fromUtf8(authorization.mid(7));
            if (!authorization.startsWith("Bearer ") || !m_accessToUser.contains(access))
                return res.json(401, QJsonObject{{"message", "401: Unauthorized"}, {"code", 0}});
            return res.json(200, user(m_accessToUser.value(access)));
        }
        if (authorization != "Bot " + m_botToken.toUtf8())
            return res.json(401, QJsonObject{{"message", "401: Unauthorized"}, {"code", 0}});
        ++m_lookups;
        if (!m_users.contains(id))
            return res.json(404, QJsonObject{{"message", "Unknown User"}, {"code", 10013}});
        res.json(200, user(id));
    });
}

bool FakeDiscord::start() {
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeDiscord::url() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(m_server.port()));
}

void FakeDiscord::addUser(const QString &id, const QString &code) {
    m_users.insert(id);
    if (!code.isEmpty())
        m_codeToUser.insert(code, id);
}

QJsonObject FakeDiscord::user(const QString &id) const {
    return QJsonObject{{"id", id},
                       {"username", "user" + id},
                       {"global_name", "User " + id},
                       {"discriminator", "0"},
                       {"avatar", "abcdef0123456789"}};
}

} // namespace nav::test
