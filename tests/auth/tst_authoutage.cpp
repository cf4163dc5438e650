// The auth and user-administration routes while the database is unreachable: navigator runs against a
// private MariaDB server that the test stops. Every route that needs the database then answers what the job
// routes answer, 503 DATABASE_UNAVAILABLE with Retry-After, so clients retry instead of reporting a server
// fault: login (the role lookup after Discord), the auth guard, authorize-user, disable-user,
// PUT /api/admin/users/:id/role and the access-request decisions. Once the server is back, the same calls
// succeed without restarting navigator.
#include "tests/auth/FakeDiscord.h"
#include "tests/support/ApiTestHelpers.h"
#include "tests/support/PrivateMariaDb.h"

#include <QtTest>

using namespace nav::test;

namespace {
const QString kUser = QStringLiteral("510000000000000001");      // role 1, logs in
const QString kNewcomer = QStringLiteral("510000000000000002");  // to authorize / disable / set a role
const QString kRequester = QStringLiteral("510000000000000003"); // asked for access (no role)
} // namespace

class AuthOutageTest : public QObject {
    Q_OBJECT

    std::unique_ptr<PrivateMariaDb> m_server;
    std::unique_ptr<TestDatabase> m_unused; // NavigatorInstance wants one; the DB_* variables replace it
    std::unique_ptr<FakeDiscord> m_discord;
    std::unique_ptr<NavigatorInstance> m_nav;

    QByteArray superuser() const { return m_nav->adminToken().toUtf8(); }
    HttpReply login(const QString &code) {
        return call(*m_nav, "POST", "/api/auth/login", {}, {{"code", code}});
    }
    static bool isUnavailable(const HttpReply &reply) {
        if (reply.status == 503 && reply.json().value("error_code").toString() == "DATABASE_UNAVAILABLE" &&
            reply.header("retry-after") == "5")
            return true;
        qWarning().noquote() << "answer:" << reply.status << reply.header("retry-after") << reply.body;
        return false;
    }

    // Each case makes the outage it needs, in whatever order the cases run.
    bool databaseDown() { return !m_server->running() || m_server->stop(); }

private slots:
    void initTestCase() {
        NAV_REQUIRE_DEPENDENCY(PrivateMariaDb::installed(), "mariadbd is not installed (scripts/deps.sh)");
        m_server = std::make_unique<PrivateMariaDb>();
        QVERIFY(m_server->start());
        QVERIFY(m_server->exec("CREATE DATABASE nav_authoutage"));
        m_discord = std::make_unique<FakeDiscord>("client", "secret", "http://compass.example/", "bot");
        QVERIFY(m_discord->start());
        m_unused = std::make_unique<TestDatabase>();
        QHash<QString, QString> env = m_server->envVars("nav_authoutage");
        env.insert({{"AUTH_ROLE_CACHE_MS", "200"},
                    {"DISCORD_API_BASE", m_discord->url().toString()},
                    {"DISCORD_CLIENT_ID", "client"},
                    {"DISCORD_CLIENT_SECRET", "secret"},
                    {"DISCORD_REDIRECT_URI", "http://compass.example/"}});
        m_nav = std::make_unique<NavigatorInstance>(*m_unused, env);
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(m_server->exec(QStringLiteral("INSERT INTO users (id, role) VALUES (%1, 1)").arg(kUser),
                               "nav_authoutage"));
        // kRequester asks for access the way it happens: a Discord login refused for want of a role.
        m_discord->addUser(kRequester, "code-requester");
        QCOMPARE(login("code-requester").status, 403);
        // While the database is up, these work.
        m_discord->addUser(kUser, "code-before");
        QCOMPARE(login("code-before").status, 200);
        QCOMPARE(call(*m_nav, "GET", "/api/user/me", bearerFor(*m_nav, kUser)).status, 200);
    }
    void cleanupTestCase() {
        m_nav.reset();
        m_server.reset();
    }

    void login_databaseUnreachable() {
        QVERIFY(databaseDown());
        m_discord->addUser(kUser, "code-outage");
        const HttpReply reply = login("code-outage");
        QVERIFY(isUnavailable(reply));
        QVERIFY(!reply.json().contains("token"));
    }

    // kUser's role was read before the outage and is kept for AUTH_ROLE_CACHE_MS (200 ms here); until it
    // expires kUser passes the guard and only the route's own database work fails. After that the guard
    // needs the database and answers 503 itself.
    void guard_databaseUnreachable() {
        QVERIFY(databaseDown());
        HttpReply reply;
        QTRY_VERIFY_WITH_TIMEOUT(
            (reply = call(*m_nav, "GET", "/api/user/me", bearerFor(*m_nav, kUser)),
             reply.json().value("message").toString() == QLatin1String("Service Unavailable")),
            10'000);
        QVERIFY(isUnavailable(reply));
        // The guard keeps the original's "message" field on every refusal.
        QCOMPARE(reply.json().value("message").toString(), QString("Service Unavailable"));
    }

    void userAdministration_databaseUnreachable_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("body");
        QTest::newRow("authorize-user")
            << QByteArray("GET") << "/api/admin/authorize-user/" + kNewcomer << QJsonObject{};
        QTest::newRow("disable-user")
            << QByteArray("GET") << "/api/admin/disable-user/" + kNewcomer << QJsonObject{};
        QTest::newRow("set role") << QByteArray("PUT") << "/api/admin/users/" + kUser + "/role"
                                  << QJsonObject{{"role", 2}};
        QTest::newRow("approve") << QByteArray("POST")
                                 << "/api/admin/access-requests/" + kRequester + "/approve"
                                 << QJsonObject{{"role", 1}};
        QTest::newRow("deny") << QByteArray("POST") << "/api/admin/access-requests/" + kRequester + "/deny"
                              << QJsonObject{};
    }
    // The superuser token needs no database, so these reach the services' own database work.
    void userAdministration_databaseUnreachable() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QJsonObject, body);
        QVERIFY(databaseDown());
        QVERIFY(isUnavailable(call(*m_nav, method, path, superuser(), body)));
    }

    // The server comes back and navigator reconnects on its own.
    void worksAgainAfterTheOutage() {
        QVERIFY(databaseDown());
        QVERIFY(isUnavailable(call(*m_nav, "GET", "/api/admin/authorize-user/" + kNewcomer, superuser())));
        QVERIFY(m_server->start());
        QTRY_COMPARE_WITH_TIMEOUT(
            call(*m_nav, "GET", "/api/admin/authorize-user/" + kNewcomer, superuser()).status, 200, 20000);
        m_discord->addUser(kUser, "code-after");
        QCOMPARE(login("code-after").status, 200);
        QCOMPARE(call(*m_nav, "POST", "/api/admin/access-requests/" + kRequester + "/approve", superuser(),
                      {{"role", 1}})
                     .status,
                 200);
    }
};

QTEST_GUILESS_MAIN(AuthOutageTest)
#include "tst_authoutage.moc"
