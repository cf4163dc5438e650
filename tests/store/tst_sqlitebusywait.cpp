// SQLite connections wait for another connection's write lock with short sleeps (SqliteBusyWait) instead of
// SQLite's own 1 ms-and-up steps: the schedule starts at 20 µs and stays within its budget; the handler is
// what an open connection uses (it gives up after its own budget, not at once); and a pool write queued
// behind a transaction held elsewhere goes through once that one commits.
#include "server/store/Database.h"
#include "server/store/SqliteBusyWait.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav;

namespace {

QSqlDatabase openRaw(const QString &name, const QString &path) {
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    db.open();
    return db;
}

} // namespace

class SqliteBusyWaitTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path() const { return m_dir.filePath(QStringLiteral("busy.db")); }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QSqlDatabase db = openRaw(QStringLiteral("setup"), path());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode=WAL")));
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (x INTEGER)")));
    }

    void scheduleStartsShortAndKeepsItsBudget() {
        const qint64 budgetUs = 10'000'000;
        QCOMPARE(store::busySleepMicros(0, budgetUs), qint64(20));
        QCOMPARE(store::busySleepMicros(1, budgetUs), qint64(40));
        QCOMPARE(store::busySleepMicros(6, budgetUs), qint64(1280));
        QCOMPARE(store::busySleepMicros(7, budgetUs), qint64(2000));
        QCOMPARE(store::busySleepMicros(500, budgetUs), qint64(2000));
        qint64 slept = 0;
        int attempt = 0;
        for (qint64 sleep; (sleep = store::busySleepMicros(attempt, budgetUs)) >= 0; ++attempt)
            slept += sleep;
        QVERIFY2(slept <= budgetUs && slept > budgetUs - 2000, qPrintable(QString::number(slept)));
    }

    // The connection waits for its budget (300 ms), not Qt's default busy timeout (5 s), before it gives up.
    void anOpenConnectionWaitsWithinItsBudget() {
        QSqlDatabase holder = openRaw(QStringLiteral("holder"), path());
        QSqlDatabase waiter = openRaw(QStringLiteral("waiter"), path());
        QVERIFY(store::installBusyWait(waiter, 300));
        QVERIFY(QSqlQuery(holder).exec(QStringLiteral("BEGIN IMMEDIATE")));
        QElapsedTimer waited;
        waited.start();
        QSqlQuery attempt(waiter);
        QVERIFY(!attempt.exec(QStringLiteral("BEGIN IMMEDIATE")));
        QVERIFY2(waited.elapsed() >= 250 && waited.elapsed() < 3000,
                 qPrintable(QString::number(waited.elapsed())));
        QVERIFY(holder.commit());
        QVERIFY(QSqlQuery(waiter).exec(QStringLiteral("BEGIN IMMEDIATE")));
        QVERIFY(waiter.commit());
    }

    // Database's pool connections have it installed: a write behind a held lock waits, then goes through.
    void aPoolWriteWaitsForTheLockAndGoesThrough() {
        config::DatabaseConfig config;
        config.driver = QStringLiteral("sqlite");
        config.path = path();
        config.poolSize = 1;
        QString error;
        const auto database = store::Database::open(config, &error);
        QVERIFY2(database, qPrintable(error));
        QSqlDatabase holder = openRaw(QStringLiteral("holder2"), path());
        QVERIFY(QSqlQuery(holder).exec(QStringLiteral("BEGIN IMMEDIATE")));
        QFuture<void> write = database->run<void>([](QSqlDatabase &db) {
            store::transaction<void>(db,
                                     [](QSqlDatabase &db) { store::exec(db, "INSERT INTO t VALUES (1)"); });
        });
        QTest::qWait(100);
        QVERIFY(!write.isFinished());
        QVERIFY(holder.commit());
        write.waitForFinished(); // throws if the write failed
        QSqlQuery count(holder);
        QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*) FROM t")) && count.next());
        QCOMPARE(count.value(0).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(SqliteBusyWaitTest)
#include "tst_sqlitebusywait.moc"
