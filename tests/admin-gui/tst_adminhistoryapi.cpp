// GET /api/admin/history, /api/admin/usage and /api/admin/activity (and the database part of
// /api/admin/status) against a real navigator on a fresh
// database (SQLite or MariaDB): jobs are seeded with known times, states, backends and errors, and each
// answer is checked field by field, with the filters, the paging, the windows and the 400s for bad input.
#include "server/store/JobStatsRepository.h"
#include "tests/support/ApiTestHelpers.h"

#include <QtTest>

using namespace nav;

namespace {
const QString kAlice = QStringLiteral("720000000000000001");
const QString kBob = QStringLiteral("720000000000000002");
} // namespace

class AdminHistoryApiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::NavigatorInstance> m_nav;
    QDateTime m_now;
    int m_sequence = 0;

    test::HttpReply admin(const QString &path) const {
        return test::http("GET", m_nav->url(path), {}, {{"Authorization", m_nav->adminToken().toUtf8()}});
    }
    // One jobs row; times are seconds before m_now (negative: NULL).
    void job(const QString &owner, const QString &status, qint64 createdAgo, qint64 startedAgo,
             qint64 endedAgo, const QString &backend = {}, const QString &errorCode = {},
             const QString &errorMessage = {}) {
        const auto at = [this](qint64 ago) {
            return ago < 0 ? QVariant(QMetaType::fromType<QString>())
                           : QVariant(store::sqlTime(m_now.addSecs(-ago)));
        };
        const QString id = QStringLiteral("h%1").arg(++m_sequence, 7, 10, QLatin1Char('0'));
        const QString params =
            QStringLiteral(R"({"prompt":"prompt of %1","width":512,"height":768,"steps":20,"seed":%2})")
                .arg(id)
                .arg(1000 + m_sequence);
        QVERIFY(test::seed(
            *m_db,
            "INSERT INTO jobs (job_id, owner_id, task_type, status, params, model_name, attempts, "
            "error_code, error_message, backend, created_at, started_at, finished_at) "
            "VALUES (?, ?, 'txt2img', ?, ?, 'sd_xl_base_1.0', 1, ?, ?, ?, ?, ?, ?)",
            {id, owner, status, params,
             errorCode.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(errorCode),
             errorMessage.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(errorMessage),
             backend.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(backend), at(createdAgo),
             at(startedAgo), at(endedAgo)}));
    }
    static QStringList ids(const QJsonArray &jobs) {
        QStringList list;
        for (const auto &job : jobs)
            list << job.toObject().value("job_id").toString();
        return list;
    }

private slots:
    void initTestCase() {
        m_db = std::make_unique<test::TestDatabase>();
        // No Forge answers here: the endpoints read the table only.
        m_nav = std::make_unique<test::NavigatorInstance>(
            *m_db, QHash<QString, QString>{
                       {"SD_API_HOST", QStringLiteral("http://127.0.0.1:%1").arg(test::freePort())}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        // Whole seconds, as the DATETIME columns keep them.
        m_now = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch(), Qt::UTC);
        job(kAlice, "finished", 600, 590, 560, "gpu-a:7860"); // h1: 30 s
        job(kAlice, "failed", 500, 495, 490, "gpu-b:7860", "FORGE_REJECTED",
            "Forge said: out of memory");                                                     // h2
        job(kBob, "finished", 400, 380, 300, "gpu-b:7860");                                   // h3: 80 s
        job(kBob, "failed", 350, -1, 200, {}, "NO_BACKEND", "no backend took the job in 1h"); // h4: never ran
        job(kAlice, "interrupted", 250, 240, 230, "gpu-a:7860");                              // h5: 10 s
        job(kBob, "finished", 3 * 86400, 3 * 86400 - 5, 3 * 86400 - 25, "gpu-a:7860"); // h6: 3 days old, 20 s
        job(kAlice, "queued", 30, -1, -1);                                             // h7: still waiting
        job(kBob, "started", 90, 60, -1, "gpu-a:7860");                                // h8: running
    }
    void cleanupTestCase() { m_nav.reset(); }

    void historyListsEndedJobsNewestFirstWithReasons() {
        const auto reply = admin("/api/admin/history");
        QCOMPARE(reply.status, 200);
        const QJsonObject body = reply.json();
        QCOMPARE(body.value("count").toInt(), 6);
        const QJsonArray jobs = body.value("jobs").toArray();
        QCOMPARE(ids(jobs),
                 (QStringList{"h0000004", "h0000005", "h0000003", "h0000002", "h0000001", "h0000006"}));
        const QJsonObject failed = jobs.at(3).toObject();
        QCOMPARE(failed.value("status").toString(), QStringLiteral("failed"));
        QCOMPARE(failed.value("backend").toString(), QStringLiteral("gpu-b:7860"));
        QCOMPARE(failed.value("error").toObject().value("code").toString(), QStringLiteral("FORGE_REJECTED"));
        QCOMPARE(failed.value("error").toObject().value("message").toString(),
                 QStringLiteral("Forge said: out of memory"));
        QCOMPARE(failed.value("duration_seconds").toInt(), 5);
        const QJsonObject finished = jobs.at(2).toObject();
        QCOMPARE(finished.value("owner_id").toString(), kBob);
        QCOMPARE(finished.value("duration_seconds").toInt(), 80);
        QCOMPARE(finished.value("prompt").toString(), QStringLiteral("prompt of h0000003"));
        QCOMPARE(finished.value("width").toInt(), 512);
        QCOMPARE(finished.value("height").toInt(), 768);
        QCOMPARE(finished.value("seed").toInt(), 1003);
        QCOMPARE(finished.value("model_name").toString(), QStringLiteral("sd_xl_base_1.0"));
        QCOMPARE(QDateTime::fromString(finished.value("finished_at").toString(), Qt::ISODateWithMs),
                 m_now.addSecs(-300));
        QVERIFY(finished.value("error").isNull());
        const QJsonObject neverRan = jobs.at(0).toObject();
        QVERIFY(neverRan.value("duration_seconds").isNull());
        QVERIFY(neverRan.value("backend").isNull());
    }

    void historyPagesAndFilters() {
        QJsonObject page = admin("/api/admin/history?limit=2&page=2").json();
        QCOMPARE(ids(page.value("jobs").toArray()), (QStringList{"h0000003", "h0000002"}));
        QCOMPARE(page.value("totalPages").toInt(), 3);
        QCOMPARE(page.value("nextPage").toInt(), 3);

        QCOMPARE(ids(admin("/api/admin/history?status=failed").json().value("jobs").toArray()),
                 (QStringList{"h0000004", "h0000002"}));
        QCOMPARE(ids(admin("/api/admin/history?user=" + kBob).json().value("jobs").toArray()),
                 (QStringList{"h0000004", "h0000003", "h0000006"}));
        QCOMPARE(
            ids(admin("/api/admin/history?backend=gpu-a:7860&user=" + kAlice).json().value("jobs").toArray()),
            (QStringList{"h0000005", "h0000001"}));
        const QString since =
            QString::fromLatin1(QUrl::toPercentEncoding(m_now.addSecs(-500).toString(Qt::ISODate)));
        const QString until =
            QString::fromLatin1(QUrl::toPercentEncoding(m_now.addSecs(-220).toString(Qt::ISODate)));
        QCOMPARE(ids(admin("/api/admin/history?since=" + since + "&until=" + until)
                         .json()
                         .value("jobs")
                         .toArray()),
                 (QStringList{"h0000005", "h0000003", "h0000002"}));
        // A date is midnight UTC: three days back and earlier holds only h6 (unless the run straddles
        // midnight).
        const QString day = m_now.addDays(-2).date().toString(Qt::ISODate);
        QCOMPARE(ids(admin("/api/admin/history?until=" + day).json().value("jobs").toArray()),
                 (QStringList{"h0000006"}));
    }

    void historyRejectsBadFilters() {
        auto reply = admin("/api/admin/history?status=running");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_STATUS"));
        reply = admin("/api/admin/history?since=yesterday");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_SINCE"));
        QVERIFY(reply.json().value("error").toString().contains("since"));
        reply = admin("/api/admin/history?until=2026-13-01");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_UNTIL"));
    }

    void onlyAdminsMayRead() {
        QVERIFY(test::seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 1)", {kAlice}));
        for (const QString path : {"/api/admin/history", "/api/admin/usage", "/api/admin/activity"}) {
            QCOMPARE(test::call(*m_nav, "GET", path, test::bearerFor(*m_nav, kAlice)).status, 403);
            QCOMPARE(test::call(*m_nav, "GET", path, {}).status, 401);
        }
    }

    void usageAggregatesPerUser() {
        auto reply = admin("/api/admin/usage?window=24h");
        QCOMPARE(reply.status, 200);
        QJsonObject body = reply.json();
        QCOMPARE(body.value("window").toString(), QStringLiteral("24h"));
        const QJsonArray users = body.value("users").toArray();
        QCOMPARE(users.size(), 2);
        // Alice: h1, h2, h5, h7 (queued counts as submitted); Bob: h3, h4, h8 (h6 is 3 days old).
        const QJsonObject alice = users.at(0).toObject();
        QCOMPARE(alice.value("owner_id").toString(), kAlice);
        QCOMPARE(alice.value("jobs").toInt(), 4);
        QCOMPARE(alice.value("finished").toInt(), 1);
        QCOMPARE(alice.value("failed").toInt(), 1);
        QCOMPARE(alice.value("interrupted").toInt(), 1);
        QCOMPARE(alice.value("gpu_seconds").toInt(), 30 + 5 + 10);
        QCOMPARE(QDateTime::fromString(alice.value("last_seen").toString(), Qt::ISODateWithMs),
                 m_now.addSecs(-30));
        const QJsonObject bob = users.at(1).toObject();
        QCOMPARE(bob.value("jobs").toInt(), 3);
        QCOMPARE(bob.value("failed").toInt(), 1);
        QCOMPARE(bob.value("gpu_seconds").toInt(), 80);
        QCOMPARE(body.value("totals").toObject().value("jobs").toInt(), 7);
        QCOMPARE(body.value("totals").toObject().value("failed").toInt(), 2);
        // Every hour of the window, summing to the jobs.
        const QJsonArray hours = body.value("per_hour").toArray();
        QVERIFY2(hours.size() == 24 || hours.size() == 25, qPrintable(QString::number(hours.size())));
        int sum = 0, failed = 0;
        for (const auto &hour : hours) {
            sum += hour.toObject().value("jobs").toInt();
            failed += hour.toObject().value("failed").toInt();
        }
        QCOMPARE(sum, 7);
        QCOMPARE(failed, 2);

        body = admin("/api/admin/usage?window=7d").json();
        QCOMPARE(body.value("totals").toObject().value("jobs").toInt(), 8);
        // 4 jobs each: ties are listed by owner id.
        QCOMPARE(body.value("users").toArray().at(1).toObject().value("owner_id").toString(), kBob);
        QCOMPARE(body.value("users").toArray().at(1).toObject().value("jobs").toInt(), 4);
        QCOMPARE(body.value("users").toArray().at(1).toObject().value("gpu_seconds").toInt(), 100);
        QVERIFY(body.value("per_hour").toArray().size() >= 7 * 24);

        reply = admin("/api/admin/usage?window=1y");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_WINDOW"));
    }

    void statusNamesTheDatabase() {
        QJsonObject database;
        for (int i = 0; i < 100 && database.value("version").toString().isEmpty(); ++i) {
            if (i > 0)
                QTest::qWait(100);
            database = admin("/api/admin/status").json().value("database").toObject();
        }
        QCOMPARE(database.value("driver").toString(),
                 m_db->isMysql() ? QStringLiteral("mysql") : QStringLiteral("sqlite"));
        QVERIFY2(database.value("version").toString().contains('.'),
                 qPrintable(database.value("version").toString()));
        if (m_db->isMysql())
            QVERIFY(database.value("uptime_seconds").toInt(-1) >= 0);
        else
            QVERIFY(database.value("uptime_seconds").isNull());
    }

    void activityLaysJobsOverMinutes() {
        auto reply = admin("/api/admin/activity?minutes=15");
        QCOMPARE(reply.status, 200);
        const QJsonArray points = reply.json().value("points").toArray();
        QCOMPARE(points.size(), 15);
        QHash<qint64, QJsonObject> byMinute;
        for (const auto &point : points) {
            const QJsonObject p = point.toObject();
            byMinute.insert(
                QDateTime::fromString(p.value("minute").toString(), Qt::ISODateWithMs).toSecsSinceEpoch(), p);
        }
        const auto minuteOf = [this](qint64 ago) {
            const qint64 t = m_now.addSecs(-ago).toSecsSinceEpoch();
            return t - t % 60;
        };
        int submitted = 0, finished = 0, failed = 0;
        for (const auto &p : byMinute) {
            submitted += p.value("submitted").toInt();
            finished += p.value("finished").toInt();
            failed += p.value("failed").toInt();
        }
        // In the last 15 minutes: submitted h1..h5, h7, h8; ended h1 (finished), h2, h4 (failed), h3, h5.
        QCOMPARE(submitted, 7);
        QCOMPARE(finished, 2);
        QCOMPARE(failed, 2);
        QCOMPARE(byMinute.value(minuteOf(300)).value("finished").toInt(), 1); // h3
        QCOMPARE(byMinute.value(minuteOf(200)).value("failed").toInt(), 1);   // h4
        // The current minute: h7 waiting, h8 running.
        const QJsonObject last = points.last().toObject();
        QCOMPARE(last.value("queued").toInt(), 1);
        QCOMPARE(last.value("running").toInt(), 1);
        // The minute holding "300 s ago" ends between 300 and 240 s ago, while h4 waited (350 to 200 s ago).
        QVERIFY(byMinute.value(minuteOf(300)).value("queued").toInt() >= 1);

        reply = admin("/api/admin/activity?minutes=0");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_MINUTES"));
    }
};

QTEST_GUILESS_MAIN(AdminHistoryApiTest)
#include "tst_adminhistoryapi.moc"
