// Access requests through the real navigator, its database and a fake Discord: a refused login becomes a
// pending request with the Discord profile, retries count on the same row, approve lets the next login in,
// deny keeps the id out of the pending list (still counting), a disabled user never becomes a request,
// authorize-user closes a request, the admin API's checks, names in the users list and the admin queue, the
// `access-requested` event reaching admin sockets only (npm socket.io-client), and a flood of 10,000 ids
// staying within ACCESS_REQUESTS_MAX.
#include "tests/auth/FakeDiscord.h"
#include "tests/support/ApiTestHelpers.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

using namespace nav::test;

namespace {

const QString kAdmin = QStringLiteral("300000000000000001");
const QString kDisabled = QStringLiteral("300000000000000002");
const QString kMember = QStringLiteral("300000000000000003");

QString nodeListener() {
    return QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs");
}

bool clientInstalled() {
    return QFile::exists(QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat/node_modules/socket.io-client"));
}

// The events a listener printed, as {event, payload} objects.
QList<QJsonObject> eventsOf(const ChildProcess &listener, const QString &name) {
    QList<QJsonObject> events;
    for (const QByteArray &line : listener.output().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value("event").toString() == name)
            events.append(object.value("payload").toObject());
    }
    return events;
}

} // namespace

class AccessRequestsTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FakeDiscord> m_discord;
    std::unique_ptr<NavigatorInstance> m_nav;
    QByteArray m_adminAuth;
    int m_codes = 0;

    QHash<QString, QString> discordEnv() const {
        return {{"DISCORD_API_BASE", m_discord->url().toString()},
                {"DISCORD_CLIENT_ID", "client"},
                {"DISCORD_CLIENT_SECRET", "secret"},
                {"DISCORD_REDIRECT_URI", "http://compass.example/"}};
    }

    // One Discord login of `id` through navigator.
    HttpReply login(const QString &id) {
        const QString code = QStringLiteral("code-%1").arg(++m_codes);
        m_discord->addUser(id, code);
        return call(*m_nav, "POST", "/api/auth/login", {}, {{"code", code}});
    }

    QJsonArray requests(const QString &status) {
        const HttpReply reply =
            call(*m_nav, "GET", "/api/admin/access-requests?status=" + status + "&limit=200", m_adminAuth);
        if (reply.status != 200)
            qWarning() << reply.status << reply.body;
        return reply.json().value("requests").toArray();
    }

    static QJsonObject find(const QJsonArray &list, const QString &id) {
        for (const QJsonValue &value : list)
            if (value.toObject().value("discord_id").toString() == id)
                return value.toObject();
        return {};
    }

    bool startListener(ChildProcess &listener, const QString &token) {
        QStringList args{nodeListener(), m_nav->rtUrl().toString()};
        if (!token.isEmpty())
            args << token;
        if (!listener.start(QStringLiteral("node"), args))
            return false;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000 && listener.running()) {
            if (listener.output().contains("READY"))
                return true;
            QTest::qWait(50);
        }
        return false;
    }

private slots:
    void initTestCase() {
        // The fake Discord's access log would print two lines per login of the flood.
        QLoggingCategory::setFilterRules(QStringLiteral("navigator.http.info=false"));
        m_db = std::make_unique<TestDatabase>();
        m_discord = std::make_unique<FakeDiscord>("client", "secret", "http://compass.example/", "bot");
        QVERIFY(m_discord->start());
        m_nav = std::make_unique<NavigatorInstance>(*m_db, discordEnv());
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 4), (?, 0)",
                     {kAdmin.toLongLong(), kDisabled.toLongLong()}));
        m_adminAuth = m_nav->adminToken().toUtf8();
    }
    void cleanupTestCase() { m_nav.reset(); }

    void unknownUserBecomesPendingWithTheirName() {
        const HttpReply reply = login("300000000000000010");
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_NOT_AUTHORIZED"));
        const QJsonObject request = find(requests("pending"), "300000000000000010");
        QCOMPARE(request.value("status").toString(), QString("pending"));
        QCOMPARE(request.value("username").toString(), QString("user300000000000000010"));
        QCOMPARE(request.value("name").toString(), QString("User 300000000000000010"));
        QCOMPARE(request.value("avatar").toString(), QString("abcdef0123456789"));
        QCOMPARE(request.value("attempts").toInt(), 1);
        QVERIFY(request.value("first_attempt_at").isString());
        QCOMPARE(request.value("first_attempt_at"), request.value("last_attempt_at"));
        // No users row was created on the way.
        QVERIFY(
            !scalar(*m_db, "SELECT role FROM users WHERE id = ?", {qlonglong(300000000000000010)}).isValid());
    }

    void retryCountsOnTheSameRow() {
        QCOMPARE(login("300000000000000011").status, 403);
        QCOMPARE(login("300000000000000011").status, 403);
        QCOMPARE(login("300000000000000011").status, 403);
        const QJsonObject request = find(requests("pending"), "300000000000000011");
        QCOMPARE(request.value("attempts").toInt(), 3);
        QCOMPARE(scalar(*m_db, "SELECT COUNT(*) FROM discord_profiles WHERE discord_id = ?",
                        {"300000000000000011"})
                     .toInt(),
                 1);
    }

    void approveLetsTheNextLoginIn() {
        QCOMPARE(login("300000000000000012").status, 403);
        const HttpReply approved =
            call(*m_nav, "POST", "/api/admin/access-requests/300000000000000012/approve", m_adminAuth,
                 {{"role", 2}});
        QCOMPARE(approved.status, 200);
        QCOMPARE(approved.json().value("status").toString(), QString("approved"));
        QCOMPARE(approved.json().value("decided_by").toString(), QString("superuser"));
        QVERIFY(find(requests("pending"), "300000000000000012").isEmpty());
        QVERIFY(!find(requests("approved"), "300000000000000012").isEmpty());
        const HttpReply next = login("300000000000000012");
        QCOMPARE(next.status, 200);
        QCOMPARE(next.json().value("role").toInt(), 2);
        // The users list now names them.
        const HttpReply user = call(*m_nav, "GET", "/api/admin/users/300000000000000012", m_adminAuth);
        QCOMPARE(user.status, 200);
        QCOMPARE(user.json().value("name").toString(), QString("User 300000000000000012"));
        QCOMPARE(user.json().value("username").toString(), QString("user300000000000000012"));
        QVERIFY(user.json().value("last_login_at").isString());
    }

    void denyKeepsThemOutOfPending() {
        QCOMPARE(login("300000000000000013").status, 403);
        const HttpReply denied =
            call(*m_nav, "POST", "/api/admin/access-requests/300000000000000013/deny", m_adminAuth);
        QCOMPARE(denied.status, 200);
        QCOMPARE(denied.json().value("status").toString(), QString("denied"));
        const HttpReply again = login("300000000000000013");
        QCOMPARE(again.status, 403);
        QCOMPARE(again.json().value("error_code").toString(), QString("USER_NOT_AUTHORIZED"));
        QVERIFY(find(requests("pending"), "300000000000000013").isEmpty());
        const QJsonObject request = find(requests("denied"), "300000000000000013");
        QCOMPARE(request.value("attempts").toInt(), 2);
        // A denied request can still be approved later.
        QCOMPARE(call(*m_nav, "POST", "/api/admin/access-requests/300000000000000013/approve", m_adminAuth,
                      {{"role", 1}})
                     .status,
                 200);
        QCOMPARE(login("300000000000000013").status, 200);
    }

    void disabledUserNeverAppears() {
        const HttpReply reply = login(kDisabled);
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_DISABLED"));
        QCOMPARE(login(kDisabled).status, 403);
        QVERIFY(find(requests("all"), kDisabled).isEmpty());
        QCOMPARE(
            scalar(*m_db, "SELECT refused_logins FROM discord_profiles WHERE discord_id = ?", {kDisabled})
                .toInt(),
            2);
        QCOMPARE(call(*m_nav, "POST", "/api/admin/access-requests/" + kDisabled + "/approve", m_adminAuth,
                      {{"role", 1}})
                     .status,
                 404);
    }

    void authorizeUserClosesTheRequest() {
        QCOMPARE(login(kMember).status, 403);
        QVERIFY(!find(requests("pending"), kMember).isEmpty());
        QCOMPARE(call(*m_nav, "GET", "/api/admin/authorize-user/" + kMember, m_adminAuth).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(find(requests("pending"), kMember).isEmpty(), 10000);
        QCOMPARE(find(requests("approved"), kMember).value("decided_by").toString(), QString("superuser"));
    }

    void badRequestsAreRefused() {
        QCOMPARE(login("300000000000000014").status, 403);
        const QString path = "/api/admin/access-requests/300000000000000014/approve";
        for (const QJsonObject &body : {QJsonObject{}, QJsonObject{{"role", 3}}, QJsonObject{{"role", "1"}},
                                        QJsonObject{{"role", 0}}, QJsonObject{{"role", 1.5}}}) {
            const HttpReply reply = call(*m_nav, "POST", path, m_adminAuth, body);
            QCOMPARE(reply.status, 400);
            QCOMPARE(reply.json().value("error_code").toString(), QString("INVALID_ROLE"));
        }
        HttpReply reply = call(*m_nav, "POST", "/api/admin/access-requests/abc/deny", m_adminAuth);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QString("INVALID_DISCORD_ID"));
        reply = call(*m_nav, "POST", "/api/admin/access-requests/399999999999999999/deny", m_adminAuth);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.json().value("error_code").toString(), QString("ACCESS_REQUEST_NOT_FOUND"));
        reply = call(*m_nav, "GET", "/api/admin/access-requests?status=maybe", m_adminAuth);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QString("INVALID_STATUS"));
        // An approved request cannot be denied (disable the user instead).
        reply = call(*m_nav, "POST", "/api/admin/access-requests/300000000000000012/deny", m_adminAuth);
        QCOMPARE(reply.status, 409);
        // Below architect: 403, and nothing changes.
        const QByteArray apprentice = bearerFor(*m_nav, "300000000000000012");
        QCOMPARE(call(*m_nav, "GET", "/api/admin/access-requests", apprentice).status, 403);
        QCOMPARE(call(*m_nav, "POST", path, apprentice, {{"role", 1}}).status, 403);
        QVERIFY(!find(requests("pending"), "300000000000000014").isEmpty());
    }

    void listIsPaged() {
        const HttpReply first =
            call(*m_nav, "GET", "/api/admin/access-requests?status=all&limit=2", m_adminAuth);
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value("requests").toArray().size(), 2);
        const int count = first.json().value("count").toInt();
        QVERIFY(count >= 6);
        QCOMPARE(first.json().value("nextPage").toInt(), 2);
        const HttpReply second =
            call(*m_nav, "GET", "/api/admin/access-requests?status=all&limit=2&page=2", m_adminAuth);
        QCOMPARE(second.json().value("requests").toArray().size(), 2);
        QVERIFY(second.json().value("requests")[0].toObject().value("discord_id") !=
                first.json().value("requests")[1].toObject().value("discord_id"));
        // Latest attempt first.
        const QJsonArray all = requests("all");
        for (int i = 1; i < all.size(); ++i)
            QVERIFY(all[i - 1].toObject().value("last_attempt_at").toString() >=
                    all[i].toObject().value("last_attempt_at").toString());
    }

    void eventReachesAdminSocketsOnly() {
        if (!clientInstalled()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("socket.io-client is not installed: run `npm ci --prefix tests/compat`");
            QSKIP("socket.io-client is not installed: run `npm ci --prefix tests/compat`");
        }
        ChildProcess admin, user, anonymous;
        QVERIFY2(startListener(admin, m_nav->adminToken()), admin.output().constData());
        const QByteArray userBearer = bearerFor(*m_nav, "300000000000000012");
        QVERIFY2(startListener(user, QString::fromLatin1(userBearer.mid(7))), user.output().constData());
        QVERIFY2(startListener(anonymous, {}), anonymous.output().constData());

        QCOMPARE(login("300000000000000020").status, 403);
        QCOMPARE(login("300000000000000020").status, 403);
        QTRY_COMPARE_WITH_TIMEOUT(eventsOf(admin, "access-requested").size(), 2, 15000);
        const QList<QJsonObject> events = eventsOf(admin, "access-requested");
        QCOMPARE(events[0].value("discord_id").toString(), QString("300000000000000020"));
        QCOMPARE(events[0].value("username").toString(), QString("user300000000000000020"));
        QCOMPARE(events[0].value("attempts").toInt(), 1);
        QCOMPARE(events[1].value("attempts").toInt(), 2);
        // A denied id's retry is counted without an event.
        QCOMPARE(
            call(*m_nav, "POST", "/api/admin/access-requests/300000000000000020/deny", m_adminAuth).status,
            200);
        QCOMPARE(login("300000000000000020").status, 403);
        QCOMPARE(login("300000000000000021").status, 403); // a marker after it
        QTRY_COMPARE_WITH_TIMEOUT(eventsOf(admin, "access-requested").size(), 3, 15000);
        QCOMPARE(eventsOf(admin, "access-requested").last().value("discord_id").toString(),
                 QString("300000000000000021"));
        // The others got their "connected" event and nothing else.
        QTest::qWait(500);
        QVERIFY(eventsOf(user, "connected").size() == 1);
        QVERIFY(eventsOf(anonymous, "connected").size() == 1);
        QCOMPARE(eventsOf(user, "access-requested").size(), 0);
        QCOMPARE(eventsOf(anonymous, "access-requested").size(), 0);
        admin.kill();
        user.kill();
        anonymous.kill();
    }

    // 10,000 refused logins from 10,000 ids against a navigator keeping at most 100 requests: the table
    // never holds more, the newest are the ones kept, and approved requests are never pruned.
    void floodStaysWithinTheCap() {
        constexpr int kIds = 10'000;
        constexpr int kCap = 100;
        auto env = discordEnv();
        env.insert("ACCESS_REQUESTS_MAX", QString::number(kCap));
        env.insert("SECRET_KEY", m_nav->secretKey());
        m_nav.reset();
        m_nav = std::make_unique<NavigatorInstance>(*m_db, env);
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        m_adminAuth = m_nav->adminToken().toUtf8();
        // One approved request of its own, which pruning must leave alone.
        QCOMPARE(login("390000000000000001").status, 403);
        QCOMPARE(call(*m_nav, "POST", "/api/admin/access-requests/390000000000000001/approve", m_adminAuth,
                      {{"role", 1}})
                     .status,
                 200);
        const int approvedBefore = requests("approved").size();
        QVERIFY(approvedBefore >= 1);

        // Two managers, six connections each: twelve logins in flight.
        QNetworkAccessManager networks[2];
        int sent = 0, answered = 0, refused = 0;
        QMap<int, int> statuses; // for the failure message
        const auto sendNext = [&](auto &&self) -> void {
            if (sent == kIds)
                return;
            const QString id = QString::number(400000000000000000LL + sent++);
            const QString code = QStringLiteral("flood-") + id;
            m_discord->addUser(id, code);
            QNetworkRequest request(m_nav->url("/api/auth/login"));
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
            QNetworkReply *reply = networks[sent % 2].post(
                request, QJsonDocument(QJsonObject{{"code", code}}).toJson(QJsonDocument::Compact));
            connect(reply, &QNetworkReply::finished, this, [&, reply, self] {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                refused += status == 403;
                ++statuses[status];
                ++answered;
                reply->deleteLater();
                self(self);
            });
        };
        for (int i = 0; i < 12; ++i)
            sendNext(sendNext);
        QTRY_VERIFY_WITH_TIMEOUT(answered == kIds, 600'000);
        QString seen;
        for (auto it = statuses.begin(); it != statuses.end(); ++it)
            seen += QStringLiteral(" %1: %2").arg(it.key()).arg(it.value());
        QVERIFY2(refused == kIds, qPrintable(QStringLiteral("answers by status:") + seen));
        QCOMPARE(scalar(*m_db,
                        "SELECT COUNT(*) FROM discord_profiles WHERE request_status IN ('pending', 'denied')")
                     .toInt(),
                 kCap);
        // The last id is among those kept; the first is long gone; approved ones are all still there.
        QVERIFY(!find(requests("pending"), QString::number(400000000000000000LL + kIds - 1)).isEmpty());
        QVERIFY(!scalar(*m_db, "SELECT 1 FROM discord_profiles WHERE discord_id = '400000000000000000'")
                     .isValid());
        QCOMPARE(requests("approved").size(), approvedBefore);
    }
};

QTEST_GUILESS_MAIN(AccessRequestsTest)
#include "tst_accessrequests.moc"
