// Work handed to a pool through common::runInBackground, and every Database::run, runs at the worker nice
// value while the calling (event-loop) thread keeps its own.
#include "server/common/WorkerPriority.h"
#include "server/store/Database.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <unistd.h>

using namespace nav;

namespace {
int threadNice() {
    return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
}
} // namespace

class WorkerPriorityTest : public QObject {
    Q_OBJECT

private slots:
    // With no offset, pool threads keep the loop's priority (each case uses fresh threads: a thread that was
    // lowered can never be raised again).
    void offLeavesWorkersAlone() {
        const int base = threadNice();
        common::setWorkerNiceOffset(0);
        QThreadPool pool;
        QCOMPARE(common::runInBackground(&pool, [] { return threadNice(); }).result(), base);
    }

    void poolWorkIsNicerThanTheLoop() {
        const int base = threadNice();
        common::setWorkerNiceOffset(5);
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        QList<QFuture<int>> runs;
        for (int i = 0; i < 8; ++i)
            runs << common::runInBackground(&pool, [] { return threadNice(); });
        for (auto &run : runs)
            QCOMPARE(run.result(), std::min(19, base + 5));
        QCOMPARE(common::runInBackground([] { return threadNice(); }).result(), std::min(19, base + 5));
        QCOMPARE(threadNice(), base); // the caller is untouched
    }

    void databaseThreadsAreNicer() {
        const int base = threadNice();
        common::setWorkerNiceOffset(7);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        config::DatabaseConfig settings;
        settings.driver = QStringLiteral("sqlite");
        settings.path = dir.filePath(QStringLiteral("nice.db"));
        QString error;
        auto database = store::Database::open(settings, &error);
        QVERIFY2(database, qPrintable(error));
        const int nice = database->run<int>([](QSqlDatabase &) { return threadNice(); }).result();
        QCOMPARE(nice, std::min(19, base + 7));
        QCOMPARE(threadNice(), base);
        database->stop();
    }
};

QTEST_GUILESS_MAIN(WorkerPriorityTest)
#include "tst_workerpriority.moc"
