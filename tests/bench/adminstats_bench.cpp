// GET /api/admin/history, /api/admin/usage and /api/admin/activity latency with many jobs in the table
// (SQLite), against GET /api/admin/status in the same run as the baseline (an admin call that reads no
// table). Jobs are spread over 30 days and 50 users, 1 in 20 failed. Prints median and p95 of each call and
// the ratio of its median to the baseline's.   build/bin/adminstats_bench [jobs, default 100000] [rounds, 30]
#include "server/store/JobStatsRepository.h"
#include "tests/support/ApiTestHelpers.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlQuery>

#include <algorithm>
#include <cstdio>

using namespace nav::test;

namespace {

struct Figures {
    double median = 0;
    double p95 = 0;
};

Figures timeRequests(NavigatorInstance &nav, const QString &path, int rounds) {
    QList<double> ms;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer timer;
        timer.start();
        const HttpReply reply =
            http("GET", nav.url(path), {}, {{"Authorization", nav.adminToken().toUtf8()}}, 60000);
        ms << timer.nsecsElapsed() / 1e6;
        if (reply.status != 200)
            qFatal("GET %s answered %d: %s", qPrintable(path), reply.status, reply.body.constData());
    }
    std::sort(ms.begin(), ms.end());
    return {ms.at(ms.size() / 2), ms.at(std::min<int>(ms.size() - 1, int(ms.size() * 0.95)))};
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    const int jobs = argc > 1 ? QByteArray(argv[1]).toInt() : 100000;
    const int rounds = argc > 2 ? QByteArray(argv[2]).toInt() : 30;
    qputenv("NAVIGATOR_TEST_DB", "sqlite");
    TestDatabase db;
    NavigatorInstance nav(db, {{"SD_API_HOST", QStringLiteral("http://127.0.0.1:%1").arg(freePort())}});
    if (!nav.start())
        qFatal("navigator did not start: %s", nav.process().output().constData());

    QSqlDatabase raw = QSqlDatabase::database(db.connectionName());
    raw.transaction();
    QSqlQuery insert(raw);
    insert.prepare("INSERT INTO jobs (job_id, owner_id, task_type, status, params, model_name, attempts, "
                   "error_code, error_message, backend, created_at, started_at, finished_at) "
                   "VALUES (?, ?, 'txt2img', ?, ?, 'sd_xl_base_1.0', 1, ?, ?, ?, ?, ?, ?)");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString params = QStringLiteral(R"({"prompt":"a lighthouse at dusk, oil painting","width":512,)"
                                          R"("height":768,"steps":20,"seed":1234})");
    for (int i = 0; i < jobs; ++i) {
        // Oldest first, evenly over 30 days; each ran 20 s after 10 s in the queue.
        const QDateTime created = now.addSecs(-30LL * 86400 + qint64(i) * 30 * 86400 / jobs);
        const bool failed = i % 20 == 0;
        insert.addBindValue(QStringLiteral("j%1").arg(i, 7, 10, QLatin1Char('0')));
        insert.addBindValue(QString::number(700000000000000000LL + i % 50));
        insert.addBindValue(failed ? "failed" : "finished");
        insert.addBindValue(params);
        insert.addBindValue(failed ? QVariant("FORGE_REJECTED") : QVariant(QMetaType::fromType<QString>()));
        insert.addBindValue(failed ? QVariant("Forge answered 500")
                                   : QVariant(QMetaType::fromType<QString>()));
        insert.addBindValue(QStringLiteral("gpu%1:7860").arg(i % 3));
        insert.addBindValue(nav::store::sqlTime(created));
        insert.addBindValue(nav::store::sqlTime(created.addSecs(10)));
        insert.addBindValue(nav::store::sqlTime(created.addSecs(30)));
        if (!insert.exec())
            qFatal("seeding failed");
    }
    raw.commit();
    QSqlQuery(raw).exec("ANALYZE");

    std::printf("%d jobs over 30 days, 50 users, SQLite; %d rounds each\n", jobs, rounds);
    const Figures base = timeRequests(nav, "/api/admin/status", rounds);
    std::printf("%-58s median %7.2f ms  p95 %7.2f ms\n", "GET /api/admin/status (baseline)", base.median,
                base.p95);
    const char *paths[] = {"/api/admin/history",
                           "/api/admin/history?page=500",
                           "/api/admin/history?status=failed",
                           "/api/admin/history?user=700000000000000007&since=2026-01-01",
                           "/api/admin/usage?window=24h",
                           "/api/admin/usage?window=7d",
                           "/api/admin/usage?window=30d",
                           "/api/admin/activity?minutes=60"};
    for (const char *path : paths) {
        const Figures f = timeRequests(nav, QString::fromLatin1(path), rounds);
        std::printf("GET %-54s median %7.2f ms  p95 %7.2f ms  %5.1fx baseline\n", path, f.median, f.p95,
                    f.median / base.median);
    }
    return 0;
}
