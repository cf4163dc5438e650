// GET /api/user/jobs latency on SQLite with many images of another user in the table, with the v10 indexes
// and again after dropping them (the v9 schema's plan), in the same run. Prints median and p95 of each and
// their ratio.   build/bin/userjobs_bench [foreign images, default 10000] [image bytes, default 30000]
#include "tests/support/ApiTestHelpers.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlQuery>

#include <algorithm>
#include <cstdio>

using namespace nav::test;

namespace {

const QString kMe = QStringLiteral("111111111111111111");
const QString kOther = QStringLiteral("222222222222222222");

QList<double> timeRequests(NavigatorInstance &nav, const QByteArray &token, int count) {
    QList<double> ms;
    for (int i = 0; i < count; ++i) {
        QElapsedTimer timer;
        timer.start();
        const HttpReply reply = call(nav, "GET", "/api/user/jobs?page=1&limit=20", token);
        ms << timer.nsecsElapsed() / 1e6;
        if (reply.status != 200)
            qFatal("GET /api/user/jobs answered %d: %s", reply.status, reply.body.constData());
    }
    std::sort(ms.begin(), ms.end());
    return ms;
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    const int foreign = argc > 1 ? QByteArray(argv[1]).toInt() : 10000;
    const int bytes = argc > 2 ? QByteArray(argv[2]).toInt() : 30000;
    qputenv("NAVIGATOR_TEST_DB", "sqlite");
    TestDatabase db;
    NavigatorInstance nav(db);
    if (!nav.start())
        qFatal("navigator did not start: %s", nav.process().output().constData());
    seed(db, "INSERT INTO users (id, role) VALUES (?, 1)", {kMe.toLongLong()});
    QSqlDatabase raw = QSqlDatabase::database(db.connectionName());
    const QByteArray blob(bytes * 3 / 4, 'x');
    const QString image = QString::fromLatin1(blob.toBase64());
    raw.transaction();
    QSqlQuery insert(raw);
    insert.prepare("INSERT INTO images (id, image_data, owner_id) VALUES (?, ?, ?)");
    for (int i = 0; i < foreign + 40; ++i) {
        insert.addBindValue(QStringLiteral("b%1").arg(i));
        insert.addBindValue(image);
        insert.addBindValue(i < foreign ? kOther : kMe); // ours come last, as the newest rows
        if (!insert.exec())
            qFatal("seeding failed");
    }
    raw.commit();
    QSqlQuery(raw).exec("ANALYZE");
    const QByteArray token = bearerFor(nav, kMe);
    const int requests = 40;
    timeRequests(nav, token, 3); // warm the page cache
    const QList<double> indexed = timeRequests(nav, token, requests);
    QSqlQuery(raw).exec("DROP INDEX images_owner_created");
    QSqlQuery(raw).exec("DROP INDEX images_category");
    nav.kill(); // a fresh start, so no connection keeps a prepared plan that uses the dropped index
    if (!nav.start())
        qFatal("navigator did not restart");
    timeRequests(nav, token, 3);
    const QList<double> scanned = timeRequests(nav, token, requests);
    const auto median = [](const QList<double> &v) { return v.at(v.size() / 2); };
    const auto p95 = [](const QList<double> &v) { return v.at(v.size() * 95 / 100); };
    std::printf("GET /api/user/jobs, SQLite, %d images of another user (%d bytes each), 40 of ours, %d requests\n",
                foreign, bytes, requests);
    std::printf("  with v10 indexes:    median %8.2f ms   p95 %8.2f ms\n", median(indexed), p95(indexed));
    std::printf("  without (v9 schema): median %8.2f ms   p95 %8.2f ms\n", median(scanned), p95(scanned));
    std::printf("  ratio (without / with): %.1fx\n", median(scanned) / median(indexed));
    return 0;
}
