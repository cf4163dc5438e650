// POST /api/auth/login against a fake Discord, with an in-memory role table standing in for the database:
// success, refusal, Discord down, disabled and unknown users, the demo user on and off, bad bodies, and a
// role lookup that fails the way the store fails (answered like every other database failure).
#include "server/api/Route.h"
#include "server/auth/AuthService.h"
#include "server/auth/DiscordClient.h"
#include "server/auth/LoginService.h"
#include "server/config/Config.h"
#include "server/store/DbError.h"
#include "tests/auth/FakeDiscord.h"
#include "tests/support/TestSupport.h"

#include <QNetworkAccessManager>
#include <QtTest>

using namespace nav;
using nav::test::HttpReply;

class LoginTest : public QObject {
    Q_OBJECT

    config::Config m_config;
    QHash<QString, int> m_roles;
    std::optional<store::DbError> m_roleFailure; // the role lookup fails with this when set
    std::unique_ptr<test::FakeDiscord> m_discord;
    std::unique_ptr<auth::AuthService> m_auth;
    std::unique_ptr<auth::DiscordClient> m_client;
    std::unique_ptr<auth::LoginService> m_login;
    api::Services m_services;
    std::unique_ptr<http::HttpServer> m_server;

    void start() {
        m_server.reset();
        m_auth = std::make_unique<auth::AuthService>(m_config, [this](const QString &id) {
            if (m_roleFailure)
                return QtFuture::makeExceptionalFuture<std::optional<int>>(*m_roleFailure);
            return QtFuture::makeReadyFuture(m_roles.contains(id) ? std::optional<int>(m_roles.value(id))
                                                                  : std::optional<int>());
        });
        m_client = std::make_unique<auth::DiscordClient>(auth::DiscordSettings{
            m_discord->url(), "client-id", "client secret+&=", "http://compass.local/?x=1&y=2", {}, 10'000});
        m_login = std::make_unique<auth::LoginService>(*m_auth, *m_client);
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        m_services.login = m_login.get();
        api::registerRoutes(*m_server, m_services, api::onlyOperations({"login"}));
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    }
    HttpReply login(const QByteArray &body) {
        return test::http("POST",
                          QUrl(QStringLiteral("http://127.0.0.1:%1/api/auth/login").arg(m_server->port())),
                          body, {{"Content-Type", "application/json"}});
    }
    HttpReply loginWith(const QString &code) {
        return login(QJsonDocument(QJsonObject{{"code", code}}).toJson(QJsonDocument::Compact));
    }

private slots:
    void init() {
        m_config = config::Config{};
        m_config.secretKey = QStringLiteral("login-secret");
        m_config.tokenExpirationMs = 14LL * 24 * 3600 * 1000;
        m_roleFailure.reset();
        m_roles = {{"111111111111111111", 1}, {"333333333333333333", 3}, {"555555555555555555", 0}};
        m_discord = std::make_unique<test::FakeDiscord>(
            "client-id", "client secret+&=", "http://compass.local/?x=1&y=2", "bot-token");
        QVERIFY(m_discord->start());
        start();
    }
    void cleanup() {
        m_server.reset();
        m_login.reset();
        m_client.reset();
        m_auth.reset();
        m_discord.reset();
    }

    void success() {
        // The client's QNetworkAccessManager (about half a MiB) comes with the first call, not at start.
        QVERIFY(m_client->findChildren<QNetworkAccessManager *>().isEmpty());
        m_discord->addUser("333333333333333333", "good-code");
        const HttpReply reply = loginWith("good-code");
        QCOMPARE(reply.status, 200);
        QCOMPARE(m_client->findChildren<QNetworkAccessManager *>().size(), 1);
        const QJsonObject body = reply.json();
        QCOMPARE(body.value("role").toInt(), 3);
        QCOMPARE(body.value("user").toObject().value("id").toString(), QString("333333333333333333"));
        QCOMPARE(body.value("user").toObject().value("global_name").toString(),
                 QString("User 333333333333333333"));
        // The token is ours, for this user, and lasts TOKEN_EXPIRATION_TIME.
        const auto claims = auth::JwtCodec("login-secret").verify(body.value("token").toString().toUtf8());
        QVERIFY(std::holds_alternative<auth::TokenClaims>(claims));
        const auto &c = std::get<auth::TokenClaims>(claims);
        QCOMPARE(c.discordId, QString("333333333333333333"));
        QCOMPARE(c.role, 3);
        QCOMPARE(*c.expiresAt - *c.issuedAt, 14LL * 24 * 3600);
        // The form Discord received, with characters that need escaping intact.
        const QUrlQuery form = m_discord->lastTokenForm();
        QCOMPARE(form.queryItemValue("client_secret", QUrl::FullyDecoded), QString("client secret+&="));
        QCOMPARE(form.queryItemValue("redirect_uri", QUrl::FullyDecoded),
                 QString("http://compass.local/?x=1&y=2"));
        QCOMPARE(form.queryItemValue("code", QUrl::FullyDecoded), QString("good-code"));
    }

    void neverExpiringTokens() {
        m_config.tokenExpirationMs = -1;
        start();
        m_discord->addUser("111111111111111111", "c");
        const HttpReply reply = loginWith("c");
        QCOMPARE(reply.status, 200);
        const auto claims =
            auth::JwtCodec("login-secret").verify(reply.json().value("token").toString().toUtf8());
        QVERIFY(!std::get<auth::TokenClaims>(claims).expiresAt.has_value());
    }

    void discordRefusesTheCode() {
        const HttpReply reply = loginWith("not-a-code");
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DISCORD_AUTH_FAILED"));
        QVERIFY(!reply.json().contains("token"));
    }

    void discordDown() {
        m_discord->addUser("111111111111111111", "c");
        m_discord->failNextExchange(503);
        QCOMPARE(loginWith("c").status, 502);
        m_discord.reset(); // nothing listens any more
        const HttpReply reply = loginWith("c");
        QCOMPARE(reply.status, 502);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DISCORD_UNAVAILABLE"));
    }

    void disabledUser() {
        m_discord->addUser("555555555555555555", "c");
        const HttpReply reply = loginWith("c");
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_DISABLED"));
    }

    // The database cannot be reached: 503 with Retry-After, as every route answers it (was a 500).
    void databaseUnreachable() {
        m_discord->addUser("111111111111111111", "c");
        m_roleFailure = store::DbError(QStringLiteral("cannot reach the database"), true);
        const HttpReply reply = loginWith("c");
        QCOMPARE(reply.status, 503);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DATABASE_UNAVAILABLE"));
        QCOMPARE(reply.header("retry-after"), QByteArray("5"));
        QVERIFY(!reply.json().contains("token"));
    }

    void databaseError() {
        m_discord->addUser("111111111111111111", "c");
        m_roleFailure = store::DbError(QStringLiteral("no such table: users"));
        const HttpReply reply = loginWith("c");
        QCOMPARE(reply.status, 500);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DATABASE_ERROR"));
        QVERIFY(reply.header("retry-after").isEmpty());
    }

    void unknownUser() {
        m_discord->addUser("999999999999999999", "c");
        const HttpReply reply = loginWith("c");
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_NOT_AUTHORIZED"));
    }

    void demoDisabled() {
        const HttpReply reply = loginWith("DEMO_USER");
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DEMO_USER_DISABLED"));
        QCOMPARE(m_discord->tokenExchanges(), 0); // never sent to Discord
    }

    void demoEnabled() {
        m_config.enableDemoUser = true;
        start();
        const HttpReply reply = loginWith("DEMO_USER");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("role").toInt(), 2);
        QCOMPARE(reply.json().value("user").toObject().value("id").toString(), QString("demo_user"));
        const auto claims =
            auth::JwtCodec("login-secret").verify(reply.json().value("token").toString().toUtf8());
        const auto &c = std::get<auth::TokenClaims>(claims);
        QCOMPARE(c.discordId, QString("demo_user"));
        QCOMPARE(*c.expiresAt - *c.issuedAt, 3LL * 3600);
        QCOMPARE(m_discord->tokenExchanges(), 0);
    }

    void missingCode_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty body") << QByteArray();
        QTest::newRow("empty object") << QByteArray("{}");
        QTest::newRow("null") << QByteArray(R"({"code":null})");
        QTest::newRow("number") << QByteArray(R"({"code":5})");
        QTest::newRow("empty string") << QByteArray(R"({"code":""})");
    }
    void missingCode() {
        QFETCH(QByteArray, body);
        const HttpReply reply = login(body);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("message").toString(), QString("Code is required"));
        QCOMPARE(m_discord->tokenExchanges(), 0);
    }

    void invalidJson() { QCOMPARE(login("{nope").status, 400); }
};

QTEST_MAIN(LoginTest)
#include "tst_login.moc"
