// Login through the real navigator, its database and a fake Discord (DISCORD_API_BASE): roles come from the
// users table, an image owner without a users row is let in as an apprentice, disabled and unknown users are
// refused with their error codes, the demo user follows ENABLE_DEMO_USER, and the token works afterwards.
#include "tests/support/ApiTestHelpers.h"
#include "tests/auth/FakeDiscord.h"

#include <QtTest>

using namespace nav::test;

class LoginFlowTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FakeDiscord> m_discord;
    std::unique_ptr<NavigatorInstance> m_nav;

    HttpReply login(const QString &code) {
        return call(*m_nav, "POST", "/api/auth/login", {}, {{"code", code}});
    }

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_discord = std::make_unique<FakeDiscord>("client", "secret", "http://compass.example/", "bot");
        QVERIFY(m_discord->start());
        m_nav = std::make_unique<NavigatorInstance>(*m_db,
                                                    QHash<QString, QString>{
                                                        {"DISCORD_API_BASE", m_discord->url().toString()},
                                                        {"DISCORD_CLIENT_ID", "client"},
                                                        {"DISCORD_CLIENT_SECRET", "secret"},
                                                        {"DISCORD_REDIRECT_URI", "http://compass.example/"},
                                                        {"ENABLE_DEMO_USER", "true"},
                                                        {"TOKEN_EXPIRATION_TIME", "14d"},
                                                    });
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 3), (?, 0)",
                     {qlonglong(100000000000000001), qlonglong(100000000000000002)}));
    }
    void cleanupTestCase() { m_nav.reset(); }

    void knownUserLogsIn() {
        m_discord->addUser("100000000000000001", "code-1");
        const HttpReply reply = login("code-1");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("role").toInt(), 3);
        QCOMPARE(reply.json().value("user").toObject().value("id").toString(), QString("100000000000000001"));
        const QByteArray token = "Bearer " + reply.json().value("token").toString().toUtf8();
        const HttpReply me = call(*m_nav, "GET", "/api/user/me", token);
        QCOMPARE(me.status, 200);
        const QJsonObject user = me.json().value("user").toObject();
        QCOMPARE(user.value("exp").toInteger() - user.value("iat").toInteger(), 14LL * 24 * 3600);
        // A code works once.
        QCOMPARE(login("code-1").status, 401);
    }

    void imageOwnerIsCreatedAsApprentice() {
        QVERIFY(seed(*m_db, "INSERT INTO images (id, owner_id) VALUES ('legacy1', '100000000000000003')"));
        m_discord->addUser("100000000000000003", "code-3");
        const HttpReply reply = login("code-3");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("role").toInt(), 1);
        QCOMPARE(
            scalar(*m_db, "SELECT role FROM users WHERE id = ?", {qlonglong(100000000000000003)}).toInt(), 1);
    }

    void disabledUserIsRefused() {
        m_discord->addUser("100000000000000002", "code-2");
        const HttpReply reply = login("code-2");
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_DISABLED"));
        QVERIFY(!reply.json().contains("token"));
    }

    void unknownUserIsRefused() {
        m_discord->addUser("100000000000000004", "code-4");
        const HttpReply reply = login("code-4");
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_NOT_AUTHORIZED"));
        QVERIFY(
            !scalar(*m_db, "SELECT role FROM users WHERE id = ?", {qlonglong(100000000000000004)}).isValid());
    }

    void discordRefusal() {
        const HttpReply reply = login("forged");
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DISCORD_AUTH_FAILED"));
        QCOMPARE(call(*m_nav, "POST", "/api/auth/login", {}, {}).status, 400);
    }

    void demoOnAndOff() {
        HttpReply reply = login("DEMO_USER");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("role").toInt(), 2);
        const QByteArray demoToken = "Bearer " + reply.json().value("token").toString().toUtf8();
        QCOMPARE(call(*m_nav, "GET", "/api/user/me", demoToken).status, 200);

        NavigatorInstance noDemo(
            *m_db, {{"DISCORD_API_BASE", m_discord->url().toString()}, {"SECRET_KEY", m_nav->secretKey()}});
        QVERIFY2(noDemo.start(), noDemo.process().output().constData());
        reply = call(noDemo, "POST", "/api/auth/login", {}, {{"code", "DEMO_USER"}});
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("DEMO_USER_DISABLED"));
        // A demo token from before is refused once the demo is off, as in the original.
        QCOMPARE(call(noDemo, "GET", "/api/user/me", demoToken).status, 401);
    }
};

QTEST_GUILESS_MAIN(LoginFlowTest)
#include "tst_loginflow.moc"
