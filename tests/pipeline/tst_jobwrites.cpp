// Grouped commits of job-state writes (JobWriteChain + JobRepository::apply) against a real database (SQLite
// or MariaDB), observed from the database itself:
// - how many transactions committed: SQLite's commit hook on the pool's only connection, or MariaDB's
//   session counter Com_commit of that connection;
// - the order in which each job's state changed: a trigger the test adds logs every status written to jobs.
// Writes queued in one event-loop turn commit as one transaction in queue order; a write that fails for good
// is the only one that answers false, the rest of its batch still lands. New jobs (EnqueueBatcher) are
// inserted the same way: one transaction for the submissions of a turn, a bad job failing alone.
#include "server/queue/EnqueueBatcher.h"
#include "server/queue/JobQueue.h"
#include "server/queue/JobWriteChain.h"
#include "server/store/Database.h"
#include "server/store/JobRepository.h"
#include "tests/support/ApiTestHelpers.h"
#include "tests/support/TestSupport.h"

#include <QSqlDriver>
#include <QtTest>

#include <atomic>
#include <sqlite3.h>

using namespace nav;
using namespace nav::test;

namespace {

std::atomic<int> sqliteCommits{0};

int countCommit(void *) {
    ++sqliteCommits;
    return 0; // 0: let the commit go ahead
}

std::atomic<int> sqliteStatements{0};

int countStatement(unsigned, void *, void *, void *) {
    ++sqliteStatements;
    return 0;
}

// Waits by running the event loop: QFuture::waitForFinished() may run a task that has not started yet on the
// waiting thread, with that thread's own connection, and this test must see the pool connection's commits.
template <typename T> T wait(QFuture<T> future) {
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, 20000))
        qFatal("database work did not finish");
    if constexpr (!std::is_void_v<T>)
        return future.result();
}

store::Job makeJob(const QString &id) {
    store::Job job;
    job.id = id;
    job.ownerId = QStringLiteral("1");
    job.taskType = QStringLiteral("txt2img");
    job.modelName = QStringLiteral("m");
    job.params = QJsonObject{{"prompt", "p"}, {"model_name", "m"}};
    return job;
}

struct Fixture {
    Fixture() {
        config::EnvMap env{{"SECRET_KEY", "x"},
                           {"DB_POOL_SIZE", "1"}}; // one connection: its commits are ours
        const auto vars = testDb.envVars();
        for (auto it = vars.begin(); it != vars.end(); ++it)
            env.insert(it.key(), it.value());
        QString error;
        database = store::Database::open(std::get<config::Config>(config::loadConfig({}, env)).db, &error);
        if (!database || !database->migrate(&error))
            qFatal("database: %s", qPrintable(error));
        repository = std::make_unique<store::JobRepository>(*database);
        logStatusChanges();
        if (!testDb.isMysql())
            wait(database->run<void>([](QSqlDatabase &db) {
                sqlite3 *handle = *static_cast<sqlite3 **>(db.driver()->handle().data());
                sqlite3_commit_hook(handle, countCommit, nullptr);
                sqlite3_trace_v2(handle, SQLITE_TRACE_STMT, countStatement, nullptr);
            }));
    }
    ~Fixture() {
        repository.reset();
        database.reset();
    }

    // Every status written to a jobs row, in the order the database applied them.
    void logStatusChanges() {
        QSqlQuery q(QSqlDatabase::database(testDb.connectionName()));
        if (testDb.isMysql()) {
            QVERIFY(q.exec("CREATE TABLE state_log (n BIGINT AUTO_INCREMENT PRIMARY KEY, job_id VARCHAR(64), "
                           "status VARCHAR(32))"));
            QVERIFY(q.exec("CREATE TRIGGER log_state AFTER UPDATE ON jobs FOR EACH ROW "
                           "INSERT INTO state_log (job_id, status) VALUES (NEW.job_id, NEW.status)"));
        } else {
            QVERIFY(q.exec("CREATE TABLE state_log (n INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT, "
                           "status TEXT)"));
            QVERIFY(q.exec("CREATE TRIGGER log_state AFTER UPDATE OF status ON jobs BEGIN "
                           "INSERT INTO state_log (job_id, status) VALUES (NEW.job_id, NEW.status); END"));
        }
    }
    QStringList statesOf(const QString &jobId) {
        QSqlQuery q(QSqlDatabase::database(testDb.connectionName()));
        q.prepare("SELECT status FROM state_log WHERE job_id = ? ORDER BY n");
        q.addBindValue(jobId);
        q.exec();
        QStringList states;
        while (q.next())
            states << q.value(0).toString();
        return states;
    }
    // Transactions the pool's connection has committed so far.
    int commits() {
        if (!testDb.isMysql())
            return sqliteCommits.load();
        return wait(database->run<int>([](QSqlDatabase &db) {
            QSqlQuery q = store::exec(db, "SHOW SESSION STATUS LIKE 'Com_commit'");
            return q.next() ? q.value(1).toInt() : -1;
        }));
    }
    // Statements the pool's connection has run so far (BEGIN and COMMIT included on SQLite; on MariaDB the
    // executions of prepared statements, which every exec() is).
    int statements() {
        if (!testDb.isMysql())
            return sqliteStatements.load();
        return wait(database->run<int>([](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.exec("SHOW SESSION STATUS LIKE 'Com_stmt_execute'"); // not prepared: not counted
            return q.next() ? q.value(1).toInt() : -1;
        }));
    }
    void enqueue(const QString &id) {
        QCOMPARE(wait(repository->enqueue(makeJob(id), std::nullopt)).result,
                 store::JobRepository::EnqueueResult::Inserted);
    }

    TestDatabase testDb;
    std::unique_ptr<store::Database> database;
    std::unique_ptr<store::JobRepository> repository;
};

const QByteArray kPngBase64 = QByteArray("\x89PNG\r\n\x1a\nnot really a picture").toBase64();

} // namespace

class JobWritesTest : public QObject {
    Q_OBJECT

private slots:
    // 20 jobs each go started -> queued -> started -> finished, the writes of all jobs interleaved, all
    // queued in one turn: one transaction, each job's states in queue order, the image with the final state,
    // and the `done` answers in queue order.
    void oneTurnIsOneTransactionInOrder() {
        Fixture f;
        QStringList ids;
        for (int i = 0; i < 20; ++i) {
            ids << QStringLiteral("grp%1").arg(i);
            f.enqueue(ids.last());
        }
        queue::JobWriteChain chain(*f.repository);
        const int before = f.commits();
        QStringList expected, answered;
        auto queueWrite = [&](store::JobWrite write, const QString &label) {
            expected << label;
            chain.write(std::move(write),
                        [&answered, label](bool ok) { answered << (ok ? label : "FAILED"); });
        };
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->started(id, 1, "forge"), id + " started");
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->requeued(id), id + " queued");
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->started(id, 2, "forge"), id + " started again");
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->finished(id, kPngBase64, {}, "finished"), id + " finished");
        QVERIFY(expected.size() <= queue::JobWriteChain::kMaxBatch);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), expected.size(), 20000);
        QCOMPARE(answered, expected);
        QCOMPARE(f.commits() - before, 1);
        for (const QString &id : std::as_const(ids)) {
            QCOMPARE(f.statesOf(id), QStringList({"started", "queued", "started", "finished"}));
            QCOMPARE(scalar(f.testDb, "SELECT attempts FROM jobs WHERE job_id = ?", {id}).toInt(), 2);
            QCOMPARE(scalar(f.testDb, "SELECT image_data FROM images WHERE id = ?", {id}).toByteArray(),
                     kPngBase64);
        }

        // The chain is free again: the next turn's writes are the next transaction.
        answered.clear();
        expected.clear();
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->failed(id, "X", "after the fact"), id + " failed");
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), expected.size(), 20000);
        QCOMPARE(answered, expected);
        QCOMPARE(f.commits() - before, 2);
    }

    // A write that fails for good in the middle of a batch: the batch is rolled back and its writes are tried
    // one by one, so the others land in their order and only the bad one answers false.
    void aFailingWriteDoesNotTakeTheOthersDown() {
        Fixture f;
        QStringList ids;
        for (int i = 0; i < 6; ++i) {
            ids << QStringLiteral("bad%1").arg(i);
            f.enqueue(ids.last());
        }
        queue::JobWriteChain chain(*f.repository);
        QList<std::pair<QString, bool>> answers;
        auto queueWrite = [&](store::JobWrite write, const QString &label) {
            chain.write(std::move(write), [&answers, label](bool ok) { answers.append({label, ok}); });
        };
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->started(id, 1, "forge"), id + " started");
        queueWrite(
            {"broken", [](QSqlDatabase &db) { store::exec(db, "UPDATE no_such_table SET x = 1"); }, {}},
            "broken");
        for (const QString &id : std::as_const(ids))
            queueWrite(f.repository->finished(id, kPngBase64, {}, "finished"), id + " finished");
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 2 * ids.size() + 1, 20000);
        QList<std::pair<QString, bool>> expected;
        for (const QString &id : std::as_const(ids))
            expected.append({id + " started", true});
        expected.append({"broken", false});
        for (const QString &id : std::as_const(ids))
            expected.append({id + " finished", true});
        QCOMPARE(answers, expected);
        QVERIFY(!chain.databaseDown()); // a bad statement is not an outage
        for (const QString &id : std::as_const(ids)) {
            QCOMPARE(f.statesOf(id), QStringList({"started", "finished"}));
            QCOMPARE(scalar(f.testDb, "SELECT image_data FROM images WHERE id = ?", {id}).toByteArray(),
                     kPngBase64);
        }

        // After the one-by-one pass the chain groups again.
        const int before = f.commits();
        int answered = 0;
        for (const QString &id : std::as_const(ids))
            chain.write(f.repository->failed(id, "X", "later"), [&](bool ok) { answered += ok ? 1 : 100; });
        QTRY_COMPARE_WITH_TIMEOUT(answered, int(ids.size()), 20000);
        QCOMPARE(f.commits() - before, 1);
    }

    // 16 submissions in one turn (one of them repeating an id): one transaction, answered in arrival order
    // with increasing sequences, the repeated id refused as a duplicate.
    void oneTurnOfSubmissionsIsOneTransaction() {
        Fixture f;
        queue::EnqueueBatcher batcher(*f.repository);
        const int before = f.commits();
        QStringList answered;
        QList<qint64> sequences;
        auto submit = [&](const QString &id) {
            batcher.insert(
                makeJob(id), std::nullopt,
                [&answered, &sequences, id](const store::JobRepository::Enqueued &result) {
                    const bool inserted = result.result == store::JobRepository::EnqueueResult::Inserted;
                    answered << (inserted ? id : id + " duplicate");
                    if (inserted)
                        sequences << result.sequence;
                },
                [&answered, id](bool) { answered << id + " FAILED"; });
        };
        QStringList expected;
        for (int i = 0; i < 15; ++i) {
            submit(QStringLiteral("new%1").arg(i));
            expected << QStringLiteral("new%1").arg(i);
        }
        submit(QStringLiteral("new3"));
        expected << QStringLiteral("new3 duplicate");
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), expected.size(), 20000);
        QCOMPARE(answered, expected);
        QCOMPARE(f.commits() - before, 1);
        QVERIFY(std::is_sorted(sequences.begin(), sequences.end()));
        QCOMPARE(QSet<qint64>(sequences.begin(), sequences.end()).size(), sequences.size());
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM jobs WHERE status = 'queued'").toInt(), 15);
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM images").toInt(), 15);
    }

    // A batch of 40 submissions, some with ids already taken: by a job, by an image from before the jobs
    // table, or by an earlier submission of the same batch (in another group of the duplicate check). Each
    // taken id is a duplicate, the others are inserted in order; the batch checks its ids and inserts its
    // images rows a group at a time: far fewer statements than three per job.
    void aBatchChecksAndInsertsItsIdsByGroups() {
        Fixture f;
        f.enqueue(QStringLiteral("old"));
        QSqlQuery q(QSqlDatabase::database(f.testDb.connectionName()));
        QVERIFY2(q.exec("INSERT INTO images (id, owner_id) VALUES ('legacy', '1')"),
                 qPrintable(q.lastError().text()));
        QStringList ids;
        for (int i = 0; i < 36; ++i)
            ids << QStringLiteral("b%1").arg(i);
        ids.insert(3, QStringLiteral("old"));
        ids.insert(20, QStringLiteral("legacy"));
        ids.insert(30, QStringLiteral("b1")); // b1 again, 29 rows after the first
        ids.append(QStringLiteral("b35"));    // the last one twice
        QCOMPARE(ids.size(), 40);
        QList<store::JobRepository::NewJob> batch;
        for (const QString &id : std::as_const(ids))
            batch.append({makeJob(id), std::nullopt});
        const int before = f.statements();
        const auto results = wait(f.repository->enqueueAll(batch));
        const int used = f.statements() - before;
        QCOMPARE(results.size(), ids.size());
        QStringList duplicates;
        QList<qint64> sequences;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            if (results[i].result == store::JobRepository::EnqueueResult::DuplicateId)
                duplicates << ids[i];
            else
                sequences << results[i].sequence;
        }
        QCOMPARE(duplicates, (QStringList{"old", "legacy", "b1", "b35"}));
        QCOMPARE(sequences.size(), 36);
        QVERIFY(std::is_sorted(sequences.begin(), sequences.end()));
        QCOMPARE(QSet<qint64>(sequences.begin(), sequences.end()).size(), sequences.size());
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM jobs").toInt(), 37);
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM images").toInt(), 38);
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM images WHERE id LIKE 'b%'").toInt(), 36);
        // 36 job inserts, the id checks of 40 (16 + 16 + 4 + 4) and the images rows of 36 (16 + 16 + 4), with
        // BEGIN and COMMIT on SQLite; one statement per id check and per images row would be 112.
        QVERIFY2(used <= 36 + 4 + 3 + 2, qPrintable(QString::number(used)));
    }

    // A job the database refuses (a trigger rejects it) in the middle of a batch: the batch is rolled back,
    // its jobs are inserted again one by one, and only the refused one fails.
    void aRefusedSubmissionFailsAlone() {
        Fixture f;
        QSqlQuery q(QSqlDatabase::database(f.testDb.connectionName()));
        QVERIFY2(f.testDb.isMysql()
                     ? q.exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON jobs FOR EACH ROW "
                              "IF NEW.job_id = 'poison' THEN SIGNAL SQLSTATE '45000' "
                              "SET MESSAGE_TEXT = 'refused'; END IF")
                     : q.exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON jobs WHEN NEW.job_id = 'poison' "
                              "BEGIN SELECT RAISE(ABORT, 'refused'); END"),
                 qPrintable(q.lastError().text()));
        queue::EnqueueBatcher batcher(*f.repository);
        QList<std::pair<QString, bool>> answers;
        const QStringList ids{"ok1", "ok2", "poison", "ok3", "ok4"};
        for (const QString &id : ids)
            batcher.insert(
                makeJob(id), std::nullopt,
                [&answers, id](const store::JobRepository::Enqueued &) {
                    answers.append({id, true});
                },
                [&answers, id](bool unavailable) {
                    answers.append({id + (unavailable ? " 503" : ""), false});
                });
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), ids.size(), 20000);
        QCOMPARE(answers,
                 (QList<std::pair<QString, bool>>{
                     {"ok1", true}, {"ok2", true}, {"poison", false}, {"ok3", true}, {"ok4", true}}));
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM jobs").toInt(), 4);
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM images WHERE id = 'poison'").toInt(), 0);

        // Afterwards submissions are grouped again.
        const int before = f.commits();
        int inserted = 0;
        for (int i = 0; i < 5; ++i)
            batcher.insert(
                makeJob(QStringLiteral("later%1").arg(i)), std::nullopt,
                [&inserted](const store::JobRepository::Enqueued &) { ++inserted; }, [](bool) {});
        QTRY_COMPARE_WITH_TIMEOUT(inserted, 5, 20000);
        QCOMPARE(f.commits() - before, 1);
    }

    // A write that is one atomic change runs without BEGIN and COMMIT when it is alone in its batch: a job's
    // start, and on MariaDB the finish of a job without inputs (one multi-table UPDATE: one server round trip
    // where BEGIN, two UPDATEs and COMMIT were four). SQLite's finish is two statements in a transaction.
    void anAtomicWriteAloneRunsWithoutATransaction() {
        Fixture f;
        f.enqueue(QStringLiteral("solo"));
        queue::JobWriteChain chain(*f.repository);
        const bool mysql = f.testDb.isMysql();
        // Statements and commits of `write` alone; commits() runs a prepared statement on MariaDB, so it
        // comes before and after the statement counts.
        auto runAlone = [&](store::JobWrite write) -> std::pair<int, int> {
            const int commits = f.commits();
            const int statements = f.statements();
            bool answered = false;
            chain.write(std::move(write), [&answered](bool ok) { answered = ok; });
            if (!QTest::qWaitFor([&] { return answered; }, 20000))
                return {-1, -1};
            const int used = f.statements() - statements;
            return {used, f.commits() - commits};
        };
        const auto alone = runAlone(f.repository->started("solo", 1, "forge"));
        store::JobWrite inTransaction = f.repository->started("solo", 2, "forge");
        inTransaction.atomic = false;
        const auto wrapped = runAlone(std::move(inTransaction));
        if (mysql) { // Com_commit counts COMMIT statements
            QCOMPARE(alone, std::pair(1, 0));
            QCOMPARE(wrapped, std::pair(1, 1));
        } else { // the statement trace sees BEGIN IMMEDIATE and COMMIT; the commit hook sees every commit
            QCOMPARE(wrapped.first - alone.first, 2);
            QCOMPARE(alone.second, 1);
        }
        store::JobWrite finish = f.repository->finished("solo", kPngBase64, {}, "finished", false);
        QCOMPARE(finish.atomic, mysql);
        const auto finished = runAlone(std::move(finish));
        if (mysql)
            QCOMPARE(finished, std::pair(1, 0));
        QCOMPARE(f.statesOf("solo"), QStringList({"started", "started", "finished"}));
        QCOMPARE(scalar(f.testDb, "SELECT image_data FROM images WHERE id = ?", {"solo"}).toByteArray(),
                 kPngBase64);
    }

    // The finish lands whatever the images row: deleted while the job ran (only the job's state is left to
    // write), or already written by the same finish (a retry after a commit whose answer was lost).
    void aFinishLandsWithoutItsImageRowAndTwice() {
        Fixture f;
        f.enqueue(QStringLiteral("gone"));
        f.enqueue(QStringLiteral("twice"));
        QVERIFY(seed(f.testDb, "DELETE FROM images WHERE id = 'gone'"));
        queue::JobWriteChain chain(*f.repository);
        QList<bool> answers;
        for (const QString &id : {"gone", "twice", "twice"}) {
            chain.write(f.repository->finished(id, kPngBase64, {}, "finished", false),
                        [&answers](bool ok) { answers << ok; });
            const qsizetype expected = answers.size() + 1;
            QTRY_COMPARE_WITH_TIMEOUT(answers.size(), expected, 20000); // one at a time: each alone
        }
        QCOMPARE(answers, QList<bool>({true, true, true}));
        QCOMPARE(scalar(f.testDb, "SELECT status FROM jobs WHERE job_id = 'gone'").toString(), "finished");
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM images WHERE id = 'gone'").toInt(), 0);
        QCOMPARE(scalar(f.testDb, "SELECT status FROM jobs WHERE job_id = 'twice'").toString(), "finished");
        QCOMPARE(scalar(f.testDb, "SELECT image_data FROM images WHERE id = 'twice'").toByteArray(),
                 kPngBase64);
    }

    // The queue's own writes: recovery re-queues every job left 'started' (and fails those started twice)
    // in one turn, which is one transaction.
    void recoveryIsOneTransaction() {
        Fixture f;
        for (int i = 0; i < 8; ++i) {
            const QString id = QStringLiteral("rec%1").arg(i);
            f.enqueue(id);
            wait(f.repository->markStarted(id, i < 6 ? 1 : 2, "forge"));
        }
        const int before = f.commits();
        queue::JobQueue queue(*f.repository, nullptr, queue::QueueSettings{});
        bool recovered = false;
        queue.recover([&](const QString &error) {
            QVERIFY(error.isEmpty());
            recovered = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(recovered, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(f.testDb, "SELECT COUNT(*) FROM jobs WHERE status = 'failed'").toInt(), 2, 20000);
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM jobs WHERE status = 'queued'").toInt(), 6);
        QCOMPARE(f.commits() - before, 1);
        QCOMPARE(queue.queued().size(), 6);
    }
};

QTEST_GUILESS_MAIN(JobWritesTest)
#include "tst_jobwrites.moc"
