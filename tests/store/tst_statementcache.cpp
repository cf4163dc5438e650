// Statements prepared once per pool connection and reused by later Database::run() jobs (StatementCache), on
// SQLite and MariaDB: a statement is reused across jobs; a SELECT whose rows are still being read is not
// executed again under its reader; an INSERT run twice in one job reports each row's own id; every statement
// is reset when its job ends (on SQLite no read snapshot outlives the job, so a checkpoint is not held up);
// a statement that failed is prepared afresh.
#include "server/store/Database.h"
#include "server/store/StatementCache.h"
#include "tests/support/TestDatabaseConfig.h"
#include "tests/support/TestSupport.h"

#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

const QString kSelect = QStringLiteral("SELECT x FROM cache_probe ORDER BY x");

} // namespace

class StatementCacheTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_testDb;
    std::unique_ptr<store::Database> m_db;

    template <typename R> R run(std::function<R(QSqlDatabase &)> work) {
        QFuture<R> future = m_db->run<R>(std::move(work));
        future.waitForFinished();
        if constexpr (!std::is_void_v<R>)
            return future.result();
    }

private slots:
    void initTestCase() {
        m_testDb = std::make_unique<TestDatabase>();
        QString error;
        m_db = store::Database::open(databaseConfigFor(*m_testDb, 1), &error); // one connection at a time
        QVERIFY2(m_db, qPrintable(error));
        const bool sqlite = m_db->dialect() == QLatin1String("sqlite");
        run<void>([sqlite](QSqlDatabase &db) {
            store::exec(db, sqlite ? QStringLiteral("CREATE TABLE cache_probe (id INTEGER PRIMARY KEY "
                                                    "AUTOINCREMENT, x INTEGER)")
                                   : QStringLiteral("CREATE TABLE cache_probe (id INTEGER PRIMARY KEY "
                                                    "AUTO_INCREMENT, x INTEGER)"));
            for (int x = 1; x <= 3; ++x)
                store::exec(db, QStringLiteral("INSERT INTO cache_probe (x) VALUES (?)"), {x});
        });
    }
    void cleanupTestCase() {
        m_db.reset();
        m_testDb.reset();
    }

    // Each job looks for the statement before it runs it. A pool of one may still hand a job to a new
    // thread while the old one winds down, so it takes a few jobs to land on a connection that ran it.
    void aStatementIsReusedByTheNextJob() {
        int found = 0;
        int stillActive = 0;
        for (int i = 0; i < 10; ++i)
            run<void>([&](QSqlDatabase &db) {
                const auto query = store::StatementCache::active(db)->find(kSelect);
                found += query ? 1 : 0;
                stillActive += query && query->isActive() ? 1 : 0;
                store::exec(db, kSelect).next(); // left half-read: the end of the job resets it
            });
        QVERIFY2(found >= 5, qPrintable(QString::number(found)));
        QCOMPARE(stillActive, 0);
    }

    void aSelectBeingReadIsNotRunAgainUnderItsReader() {
        const QList<int> seen = run<QList<int>>([](QSqlDatabase &db) {
            QList<int> seen;
            QSqlQuery outer = store::exec(db, kSelect);
            outer.next();
            seen << outer.value(0).toInt();
            QSqlQuery inner = store::exec(db, kSelect);
            while (inner.next())
                seen << inner.value(0).toInt();
            while (outer.next())
                seen << outer.value(0).toInt();
            return seen;
        });
        QCOMPARE(seen, (QList<int>{1, 1, 2, 3, 2, 3}));
    }

    void anInsertRunTwiceReportsEachRowsId() {
        const QList<qint64> ids = run<QList<qint64>>([](QSqlDatabase &db) {
            QList<qint64> ids;
            for (int x = 10; x <= 11; ++x)
                ids << store::exec(db, QStringLiteral("INSERT INTO cache_probe (x) VALUES (?)"), {x})
                           .lastInsertId()
                           .toLongLong();
            return ids;
        });
        QCOMPARE(ids.size(), 2);
        QVERIFY2(ids[1] == ids[0] + 1, qPrintable(QStringLiteral("%1 %2").arg(ids[0]).arg(ids[1])));
        run<void>([](QSqlDatabase &db) { store::exec(db, "DELETE FROM cache_probe WHERE x >= 10"); });
    }

    // A SELECT left half-read by a job would keep its read snapshot: WAL pages written after it could not be
    // checkpointed. The end of the job resets it.
    void noReadSnapshotOutlivesItsJob() {
        if (m_db->dialect() != QLatin1String("sqlite"))
            QSKIP("SQLite's WAL snapshots");
        run<void>([](QSqlDatabase &db) { store::exec(db, kSelect).next(); });
        QSqlDatabase other = QSqlDatabase::database(m_testDb->connectionName());
        QSqlQuery write(other);
        QVERIFY(write.exec(QStringLiteral("INSERT INTO cache_probe (x) VALUES (20)")));
        QSqlQuery checkpoint(other);
        QVERIFY(checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) && checkpoint.next());
        QCOMPARE(checkpoint.value(0).toInt(), 0); // not blocked by a reader
        QVERIFY(write.exec(QStringLiteral("DELETE FROM cache_probe WHERE x = 20")));
    }

    void aFailedStatementIsPreparedAfresh() {
        const QString insert = QStringLiteral("INSERT INTO cache_probe (id, x) VALUES (?, ?)");
        const bool dropped = run<bool>([insert](QSqlDatabase &db) {
            store::exec(db, insert, {100, 1});
            try {
                store::exec(db, insert, {100, 2}); // duplicate id
                return false;
            } catch (const store::DbError &) {
            }
            return !store::StatementCache::active(db)->find(insert).has_value();
        });
        QVERIFY(dropped);
        run<void>([](QSqlDatabase &db) { store::exec(db, "DELETE FROM cache_probe WHERE id = 100"); });
    }
};

QTEST_GUILESS_MAIN(StatementCacheTest)
#include "tst_statementcache.moc"
