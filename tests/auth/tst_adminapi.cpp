// The admin API against the real navigator: the original's authorize-user / disable-user rules (numeric
// ids, no self-changes, first user becomes apex, BOT_TOKEN validation against a fake Discord), the REST user
// list and role changes, and role boundaries on every admin route.
#include "tests/support/ApiTestHelpers.h"
#include "tests/auth/FakeDiscord.h"

#include <QJsonArray>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kArchitect = QStringLiteral("300000000000000003");
const QString kArchitect2 = QStringLiteral("300000000000000033");
const QString kArtificer = QStringLiteral("200000000000000002");
const QString kApex = QStringLiteral("400000000000000004");
const QString kKnownOnDiscord = QStringLiteral("810000000000000001");
} // namespace

class AdminApiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FakeDiscord> m_discord;
    std::unique_ptr<NavigatorInstance> m_nav;

    HttpReply as(const QByteArray &token, const QByteArray &method, const QString &path,
                 const QJsonObject &body = {}) {
        return call(*m_nav, method, path, token, body);
    }
    QByteArray superuser() const { return m_nav->adminToken().toUtf8(); }
    QByteArray token(const QString &id) const { return bearerFor(*m_nav, id); }
    int roleOf(const QString &id) {
        const QVariant role = scalar(*m_db, "SELECT role FROM users WHERE id = ?", {id.toLongLong()});
        return role.isValid() ? role.toInt() : -1;
    }

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_discord = std::make_unique<FakeDiscord>("cid", "csecret", "http://compass", "the-bot-token");
        QVERIFY(m_discord->start());
        m_discord->addUser(kKnownOnDiscord);
        m_nav = std::make_unique<NavigatorInstance>(
            *m_db, QHash<QString, QString>{{"DISCORD_API_BASE", m_discord->url().toString()}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
    }
    void cleanupTestCase() { m_nav.reset(); }

    // Runs first, on an empty users table.
    void firstAuthorizedUserBecomesApex() {
        const HttpReply reply = as(superuser(), "GET", "/api/admin/authorize-user/" + kApex);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("message").toString(), QString("User authorized!"));
        QCOMPARE(reply.json().value("discord_id").toString(), kApex);
        QCOMPARE(roleOf(kApex), 4);
        // The next one is an ordinary apprentice.
        QCOMPARE(as(superuser(), "GET", "/api/admin/authorize-user/" + kArchitect).status, 200);
        QCOMPARE(roleOf(kArchitect), 1);
        QVERIFY(seed(*m_db, "UPDATE users SET role = 3 WHERE id = ?", {kArchitect.toLongLong()}));
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 3), (?, 2)",
                     {kArchitect2.toLongLong(), kArtificer.toLongLong()}));
    }

    void everyAdminRouteNeedsAnArchitect_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::newRow("authorize") << QByteArray("GET") << "/api/admin/authorize-user/123";
        QTest::newRow("disable") << QByteArray("GET") << "/api/admin/disable-user/123";
        QTest::newRow("list") << QByteArray("GET") << "/api/admin/users";
        QTest::newRow("one") << QByteArray("GET") << "/api/admin/users/123";
        QTest::newRow("role") << QByteArray("PUT") << "/api/admin/users/123/role";
    }
    void everyAdminRouteNeedsAnArchitect() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QCOMPARE(as({}, method, path).status, 401);
        const HttpReply low = as(token(kArtificer), method, path, {{"role", 1}});
        // 403, not the original's 401, which would log Compass out.
        QCOMPARE(low.status, 403);
        QCOMPARE(low.json().value("error_code").toString(), QString("INSUFFICIENT_ROLE"));
        QCOMPARE(roleOf("123"), -1); // nothing happened
    }

    void authorizeRules() {
        const QByteArray architect = token(kArchitect);
        QCOMPARE(as(architect, "GET", "/api/admin/authorize-user/abc").status, 400);
        QCOMPARE(as(architect, "GET", "/api/admin/authorize-user/12e3").status, 400);
        // Issue 12: ids of the wrong shape are 400, never 500.
        for (const char *path : {"/api/admin/authorize-user/0", "/api/admin/authorize-user/007",
                                 "/api/admin/disable-user/00", "/api/admin/users/0/role"}) {
            const HttpReply reply =
                as(architect, path == QByteArray("/api/admin/users/0/role") ? "PUT" : "GET",
                   QString::fromLatin1(path), {{"role", 1}});
            QCOMPARE(reply.status, 400);
            QCOMPARE(reply.json().value("error_code").toString(), QString("INVALID_DISCORD_ID"));
        }
        QCOMPARE(as(architect, "GET", "/api/admin/authorize-user/" + kArchitect).status, 400); // self
        QCOMPARE(roleOf(kArchitect), 3);
        // An architect cannot reset another architect or the apex user.
        QCOMPARE(as(architect, "GET", "/api/admin/authorize-user/" + kArchitect2).status, 403);
        QCOMPARE(as(architect, "GET", "/api/admin/authorize-user/" + kApex).status, 403);
        QCOMPARE(roleOf(kApex), 4);
        const QString newcomer = QStringLiteral("500000000000000005");
        QCOMPARE(as(architect, "GET", "/api/admin/authorize-user/" + newcomer).status, 200);
        QCOMPARE(roleOf(newcomer), 1);
    }

    void disableRules() {
        const QByteArray architect = token(kArchitect);
        const QString target = QStringLiteral("500000000000000006");
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 1)", {target.toLongLong()}));
        const HttpReply reply = as(architect, "GET", "/api/admin/disable-user/" + target);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("message").toString(), QString("User disabled!"));
        QCOMPARE(roleOf(target), 0);
        QCOMPARE(as(architect, "GET", "/api/admin/disable-user/" + kArchitect).status, 400); // self
        QCOMPARE(as(architect, "GET", "/api/admin/disable-user/" + kArchitect2).status, 403);
        QCOMPARE(roleOf(kArchitect2), 3);
        QCOMPARE(as(architect, "GET", "/api/admin/disable-user/x1").status, 400);
        // The superuser may disable anyone; disabling never promotes.
        QCOMPARE(as(superuser(), "GET", "/api/admin/disable-user/" + kArchitect2).status, 200);
        QCOMPARE(roleOf(kArchitect2), 0);
        QVERIFY(seed(*m_db, "UPDATE users SET role = 3 WHERE id = ?", {kArchitect2.toLongLong()}));
    }

    void listUsers() {
        QVERIFY(seed(*m_db, "INSERT INTO images (id, owner_id) VALUES ('a1', ?), ('a2', ?), ('b1', ?)",
                     {kArtificer, kArtificer, kApex}));
        HttpReply reply = as(token(kArchitect), "GET", "/api/admin/users?limit=2&page=1");
        QCOMPARE(reply.status, 200);
        QJsonObject body = reply.json();
        const int total = body.value("count").toInt();
        QVERIFY(total >= 6);
        QCOMPARE(body.value("totalPages").toInt(), (total + 1) / 2);
        QCOMPARE(body.value("users").toArray().size(), 2);
        QHash<QString, QJsonObject> byId;
        for (int page = 1; page <= body.value("totalPages").toInt(); ++page) {
            const QJsonArray users =
                as(token(kArchitect), "GET", QStringLiteral("/api/admin/users?limit=2&page=%1").arg(page))
                    .json()
                    .value("users")
                    .toArray();
            for (const auto &user : users)
                byId.insert(user.toObject().value("id").toString(), user.toObject());
        }
        QCOMPARE(byId.size(), total);
        const QJsonObject artificer = byId.value(kArtificer);
        QVERIFY(artificer.value("id").isString()); // 64-bit ids stay exact
        QCOMPARE(artificer.value("role").toInt(), 2);
        QCOMPARE(artificer.value("image_count").toInt(), 2);
        QCOMPARE(byId.value(kApex).value("image_count").toInt(), 1);
        QCOMPARE(byId.value(kArchitect).value("image_count").toInt(), 0);
        QVERIFY(QDateTime::fromString(artificer.value("created_at").toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(artificer.contains("updated_at"));

        reply = as(token(kArchitect), "GET", "/api/admin/users/" + kArtificer);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("image_count").toInt(), 2);
        QCOMPARE(as(token(kArchitect), "GET", "/api/admin/users/999").status, 404);
        QCOMPARE(as(token(kArchitect), "GET", "/api/admin/users/abc").status, 400);
    }

    void changeRoles() {
        const QByteArray architect = token(kArchitect);
        const QString path = "/api/admin/users/" + kArtificer + "/role";
        HttpReply reply = as(architect, "PUT", path, {{"role", 1}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("role").toInt(), 1);
        QCOMPARE(roleOf(kArtificer), 1);
        QCOMPARE(as(architect, "PUT", path, {{"role", 2}}).status, 200);
        // Never at or above one's own role.
        QCOMPARE(as(architect, "PUT", path, {{"role", 3}}).status, 403);
        QCOMPARE(as(architect, "PUT", path, {{"role", 4}}).status, 403);
        QCOMPARE(roleOf(kArtificer), 2);
        QCOMPARE(as(architect, "PUT", "/api/admin/users/" + kArchitect2 + "/role", {{"role", 1}}).status,
                 403);
        QCOMPARE(as(architect, "PUT", "/api/admin/users/" + kArchitect + "/role", {{"role", 2}}).status, 400);
        QCOMPARE(as(architect, "PUT", "/api/admin/users/999/role", {{"role", 1}}).status, 404);
        for (const QJsonValue &bad :
             {QJsonValue(5), QJsonValue(-1), QJsonValue(1.5), QJsonValue("2"), QJsonValue()})
            QCOMPARE(as(architect, "PUT", path, {{"role", bad}}).status, 400);
        // The apex user may grant anything, apex included.
        QCOMPARE(as(token(kApex), "PUT", path, {{"role", 4}}).status, 200);
        QCOMPARE(roleOf(kArtificer), 4);
        QCOMPARE(as(token(kApex), "PUT", "/api/admin/users/" + kApex + "/role", {{"role", 1}}).status, 400);
        QCOMPARE(as(superuser(), "PUT", path, {{"role", 2}}).status, 200);
    }

    void botTokenValidation() {
        // A second instance with BOT_TOKEN set: ids are checked with Discord's /users/:id.
        NavigatorInstance withBot(
            *m_db, {{"DISCORD_API_BASE", m_discord->url().toString()}, {"BOT_TOKEN", "the-bot-token"}});
        QVERIFY2(withBot.start(), withBot.process().output().constData());
        const int lookups = m_discord->userLookups();
        HttpReply reply = call(withBot, "GET", "/api/admin/authorize-user/" + kKnownOnDiscord,
                               withBot.adminToken().toUtf8());
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("user").toObject().value("id").toString(), kKnownOnDiscord);
        QCOMPARE(roleOf(kKnownOnDiscord), 1);
        const QString unknown = QStringLiteral("820000000000000002");
        reply = call(withBot, "GET", "/api/admin/authorize-user/" + unknown, withBot.adminToken().toUtf8());
        QCOMPARE(reply.status, 400);
        QCOMPARE(roleOf(unknown), -1);
        QCOMPARE(m_discord->userLookups(), lookups + 2);
        // Without BOT_TOKEN (the main instance), ids are taken on trust and Discord is not asked.
        QCOMPARE(as(superuser(), "GET", "/api/admin/authorize-user/" + unknown).status, 200);
        QCOMPARE(m_discord->userLookups(), lookups + 2);
    }
};

QTEST_GUILESS_MAIN(AdminApiTest)
#include "tst_adminapi.moc"
