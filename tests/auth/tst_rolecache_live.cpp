// The guard's role cache in the real navigator, against a fresh database (SQLite or MariaDB). With a long
// AUTH_ROLE_CACHE_MS (60 s), every role change made through the HTTP API (disable-user, PUT
// /api/admin/users/:id/role, authorize-user, access-request approval) still applies to the user's very next
// request, while a change made behind navigator's back with SQL does not: the proof that requests within the
// TTL do not read the database. With 0, the SQL change applies at once; with a short TTL, soon after it.
#include "tests/auth/FakeDiscord.h"
#include "tests/support/ApiTestHelpers.h"

#include <QtTest>

using namespace nav::test;

namespace {
const QString kAdmin = QStringLiteral("620000000000000001");     // role 4 (may make architects)
const QString kUser = QStringLiteral("620000000000000002");      // role 1, disabled and re-enabled by the API
const QString kPromoted = QStringLiteral("620000000000000003");  // role 1, made an admin by the API
const QString kNewcomer = QStringLiteral("620000000000000004");  // no row, authorized by the API
const QString kRequester = QStringLiteral("620000000000000005"); // no row, asks for access, is approved
const QString kBystander = QStringLiteral("620000000000000006"); // role 1, changed by SQL only
} // namespace

class RoleCacheLiveTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FakeDiscord> m_discord;
    std::unique_ptr<NavigatorInstance> m_nav;

    bool startNavigator(const QString &cacheMs) {
        m_nav.reset();
        m_nav = std::make_unique<NavigatorInstance>(
            *m_db, QHash<QString, QString>{{"AUTH_ROLE_CACHE_MS", cacheMs},
                                           {"DISCORD_API_BASE", m_discord->url().toString()},
                                           {"DISCORD_CLIENT_ID", "client"},
                                           {"DISCORD_CLIENT_SECRET", "secret"},
                                           {"DISCORD_REDIRECT_URI", "http://compass.example/"}});
        if (m_nav->start())
            return true;
        qWarning().noquote() << m_nav->process().output();
        return false;
    }
    QByteArray admin() const { return bearerFor(*m_nav, kAdmin); }
    // The answer a user gets on a route for role >= minRole: 200 or the guard's error code.
    QString guard(const QString &id, int minRole) {
        const HttpReply reply =
            call(*m_nav, "GET", minRole >= 3 ? "/api/admin/users" : "/api/user/me", bearerFor(*m_nav, id));
        return reply.status == 200 ? QStringLiteral("200") : reply.json().value("error_code").toString();
    }
    bool setRoleBySql(const QString &id, int role) {
        return seed(*m_db, "UPDATE users SET role = ? WHERE id = ?", {role, id.toLongLong()});
    }

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_discord = std::make_unique<FakeDiscord>("client", "secret", "http://compass.example/", "bot");
        QVERIFY(m_discord->start());
        QVERIFY(startNavigator("60000"));
        QVERIFY(
            seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 4), (?, 1), (?, 1), (?, 1)",
                 {kAdmin.toLongLong(), kUser.toLongLong(), kPromoted.toLongLong(), kBystander.toLongLong()}));
    }
    void cleanupTestCase() { m_nav.reset(); }

    // Each user's role is read (and kept for 60 s) before an admin changes it through the API.
    void apiChangesApplyToTheNextRequest() {
        QCOMPARE(guard(kUser, 1), QString("200"));
        QCOMPARE(call(*m_nav, "GET", "/api/admin/disable-user/" + kUser, admin()).status, 200);
        QCOMPARE(guard(kUser, 1), QString("USER_DISABLED"));
        QCOMPARE(call(*m_nav, "PUT", "/api/admin/users/" + kUser + "/role", admin(), {{"role", 1}}).status,
                 200);
        QCOMPARE(guard(kUser, 1), QString("200"));

        QCOMPARE(guard(kPromoted, 3), QString("INSUFFICIENT_ROLE"));
        QCOMPARE(
            call(*m_nav, "PUT", "/api/admin/users/" + kPromoted + "/role", admin(), {{"role", 3}}).status,
            200);
        QCOMPARE(guard(kPromoted, 3), QString("200"));

        // "No such user" is kept too, and forgotten when the user is authorized.
        QCOMPARE(guard(kNewcomer, 1), QString("USER_NOT_AUTHORIZED"));
        QCOMPARE(call(*m_nav, "GET", "/api/admin/authorize-user/" + kNewcomer, admin()).status, 200);
        QCOMPARE(guard(kNewcomer, 1), QString("200"));
    }

    void accessRequestApprovalAppliesToTheNextRequest() {
        m_discord->addUser(kRequester, "code-requester");
        QCOMPARE(call(*m_nav, "POST", "/api/auth/login", {}, {{"code", "code-requester"}}).status, 403);
        QCOMPARE(guard(kRequester, 1), QString("USER_NOT_AUTHORIZED"));
        QCOMPARE(call(*m_nav, "POST", "/api/admin/access-requests/" + kRequester + "/approve", admin(),
                      {{"role", 1}})
                     .status,
                 200);
        QCOMPARE(guard(kRequester, 1), QString("200"));
    }

    // SQL behind navigator's back: not seen within the TTL, because the guard does not read the database.
    void sqlChangeWaitsForTheTtl() {
        QCOMPARE(guard(kBystander, 1), QString("200"));
        QVERIFY(setRoleBySql(kBystander, 0));
        QCOMPARE(guard(kBystander, 1), QString("200"));
        QCOMPARE(guard(kBystander, 1), QString("200"));
        QVERIFY(setRoleBySql(kBystander, 1));
    }

    void zeroReadsEveryRequest() {
        QVERIFY(startNavigator("0"));
        QCOMPARE(guard(kBystander, 1), QString("200"));
        QVERIFY(setRoleBySql(kBystander, 0));
        QCOMPARE(guard(kBystander, 1), QString("USER_DISABLED"));
        QVERIFY(setRoleBySql(kBystander, 1));
        QCOMPARE(guard(kBystander, 1), QString("200"));
    }

    void shortTtlSeesSqlChangesSoon() {
        QVERIFY(startNavigator("300"));
        QCOMPARE(guard(kBystander, 1), QString("200"));
        QVERIFY(setRoleBySql(kBystander, 0));
        QTRY_COMPARE_WITH_TIMEOUT(guard(kBystander, 1), QString("USER_DISABLED"), 10'000);
    }
};

QTEST_GUILESS_MAIN(RoleCacheLiveTest)
#include "tst_rolecache_live.moc"
