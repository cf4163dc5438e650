// The JobQueue's state against a real database (SQLite or MariaDB), without backends so nothing starts:
// jobs.sequence from the database is the in-memory FIFO order, a cancel answers "removed" only when the row
// went (also while an earlier write for the job is still pending), and init images never sit in jobs.params.
#include "server/queue/JobQueue.h"
#include "server/store/Database.h"
#include "server/store/JobRepository.h"
#include "tests/support/ApiTestHelpers.h"
#include "tests/support/TestDatabaseConfig.h"
#include "tests/support/TestSupport.h"

#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

store::Job makeJob(const QString &id, const QString &taskType = QStringLiteral("txt2img")) {
    store::Job job;
    job.id = id;
    job.ownerId = QStringLiteral("1");
    job.taskType = taskType;
    job.modelName = QStringLiteral("m");
    job.params = QJsonObject{{"prompt", "p"}, {"model_name", "m"}};
    return job;
}

template <typename T> T wait(QFuture<T> future) {
    future.waitForFinished();
    if constexpr (!std::is_void_v<T>)
        return future.result();
}

struct Fixture {
    explicit Fixture(int poolSize = 2) {
        QString error;
        database = store::Database::open(databaseConfigFor(testDb, poolSize), &error);
        if (!database || !database->migrate(&error))
            qFatal("database: %s", qPrintable(error));
        repository = std::make_unique<store::JobRepository>(*database);
    }
    ~Fixture() {
        queue.reset();
        repository.reset();
        database.reset();
    }
    queue::JobQueue &makeQueue() {
        queue::QueueSettings settings;
        settings.maxJobsPerUser = 0; // these tests are about order and state, not the per-user cap
        queue = std::make_unique<queue::JobQueue>(*repository, nullptr, settings);
        return *queue;
    }
    bool recover() {
        bool done = false;
        QString failure;
        queue->recover([&](const QString &error) {
            failure = error;
            done = true;
        });
        return QTest::qWaitFor([&] { return done; }, 20000) && failure.isEmpty();
    }
    TestDatabase testDb;
    std::unique_ptr<store::Database> database;
    std::unique_ptr<store::JobRepository> repository;
    std::unique_ptr<queue::JobQueue> queue;
};

} // namespace

class JobQueueStateTest : public QObject {
    Q_OBJECT

private slots:
    // Jobs queued since start-up carry the sequence the database gave them (not 0), in order, and the order
    // after a restart (read back from the database) is the same.
    void sequenceComesFromTheDatabase() {
        Fixture f;
        queue::JobQueue &queue = f.makeQueue();
        QVERIFY(f.recover());
        int queued = 0;
        for (int i = 0; i < 6; ++i)
            queue.enqueue(makeJob(QStringLiteral("seq%1").arg(i)), std::nullopt, false,
                          [&](queue::JobQueue::EnqueueStatus status, int) {
                              QCOMPARE(status, queue::JobQueue::EnqueueStatus::Queued);
                              ++queued;
                          });
        QTRY_COMPARE_WITH_TIMEOUT(queued, 6, 20000);
        QList<qint64> before;
        QStringList orderBefore;
        for (const store::Job &job : queue.queued()) {
            QCOMPARE(job.sequence,
                     scalar(f.testDb, "SELECT sequence FROM jobs WHERE job_id = ?", {job.id}).toLongLong());
            before << job.sequence;
            orderBefore << job.id;
        }
        QCOMPARE(before.size(), 6);
        QVERIFY(std::is_sorted(before.begin(), before.end()));
        QVERIFY(before.first() > 0);

        f.makeQueue(); // a restart on the same database
        QVERIFY(f.recover());
        QStringList orderAfter;
        for (const store::Job &job : f.queue->queued())
            orderAfter << job.id;
        QCOMPARE(orderAfter, orderBefore);
    }

    // Navigator restarts with five jobs left "started": recovery re-queues them, one write after another. A
    // cancel of the last one arrives while its markQueued is still waiting in the write chain. With one pool
    // connection the database runs work in the order it is handed over, so an unserialised DELETE reaches
    // the row while it is still 'started', matches nothing, and the job would come back at the next start.
    void cancelDuringAPendingWrite() {
        Fixture f(1);
        QStringList ids;
        for (int i = 0; i < 5; ++i) {
            ids << QStringLiteral("run%1").arg(i);
            QCOMPARE(wait(f.repository->enqueue(makeJob(ids.last()), std::nullopt)).result,
                     store::JobRepository::EnqueueResult::Inserted);
            wait(f.repository->markStarted(ids.last(), 1, "forge"));
        }
        queue::JobQueue &queue = f.makeQueue();
        std::optional<queue::JobQueue::CancelStatus> answer;
        bool recovered = false;
        queue.recover([&](const QString &error) {
            QVERIFY(error.isEmpty());
            recovered = true;
            queue.cancel(ids.last(), QStringLiteral("1"), false,
                         [&](queue::JobQueue::CancelStatus status) { answer = status; });
        });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 20000);
        QVERIFY(recovered);
        // Let every pending write land.
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(f.testDb, "SELECT COUNT(*) FROM jobs WHERE status = 'queued'").toInt(), 4, 20000);
        const int rows = scalar(f.testDb, "SELECT COUNT(*) FROM jobs WHERE job_id = ?", {ids.last()}).toInt();
        if (*answer == queue::JobQueue::CancelStatus::Removed)
            QCOMPARE(rows, 0);
        else
            QCOMPARE(rows, 1);
        QCOMPARE(*answer, queue::JobQueue::CancelStatus::Removed);
        QCOMPARE(queue.position(ids.last()), -1);

        f.makeQueue(); // the cancelled job does not come back after a restart
        QVERIFY(f.recover());
        QCOMPARE(f.queue->queued().size(), 4);
    }

    // Navigator accepts submissions before recovery has read the jobs table. A job whose row was written
    // before that read is in the queue already when the read returns it: it waits (and runs) once, and the
    // queue stays in sequence order. (It used to be queued twice and sent to Forge twice.)
    void jobSubmittedBeforeRecoveryIsQueuedOnce() {
        Fixture f(1);
        QCOMPARE(wait(f.repository->enqueue(makeJob("left"), std::nullopt)).result,
                 store::JobRepository::EnqueueResult::Inserted); // from before the restart
        queue::JobQueue &queue = f.makeQueue();
        bool queued = false;
        queue.enqueue(makeJob("early"), std::nullopt, false, [&](auto status, int) {
            QCOMPARE(status, queue::JobQueue::EnqueueStatus::Queued);
            queued = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(queued, 20000);
        QVERIFY(f.recover());
        QStringList order;
        for (const store::Job &job : queue.queued())
            order << job.id;
        QCOMPARE(order, (QStringList{"left", "early"}));
        QCOMPARE(queue.queueSize(), 2);
        QCOMPARE(queue.position("early"), 2);
    }

    // The init image and mask of an img2img job go to job_inputs: not in jobs.params, not in the queue.
    void initImageStaysOutOfParams() {
        Fixture f;
        queue::JobQueue &queue = f.makeQueue();
        QVERIFY(f.recover());
        store::Job job = makeJob("img", "img2img");
        job.inputs = {"aW5pdA==", "bWFzaw=="};
        bool queued = false;
        queue.enqueue(job, std::nullopt, false, [&](auto status, int) {
            QCOMPARE(status, queue::JobQueue::EnqueueStatus::Queued);
            queued = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(queued, 20000);
        QVERIFY(queue.queued().first().inputs.initImage.isEmpty());
        QVERIFY(queue.queued().first().inputs.mask.isEmpty());
        const QString params = scalar(f.testDb, "SELECT params FROM jobs WHERE job_id = 'img'").toString();
        QVERIFY2(!params.contains("aW5pdA==") && !params.contains("mask"), qPrintable(params));
        const store::JobInputs inputs = wait(f.repository->inputs("img"));
        QCOMPARE(inputs.initImage, QString("aW5pdA=="));
        QCOMPARE(inputs.mask, QString("bWFzaw=="));
        // Removing the queued job removes its inputs too.
        std::optional<queue::JobQueue::CancelStatus> answer;
        queue.cancel("img", "1", false, [&](auto status) { answer = status; });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 20000);
        QCOMPARE(*answer, queue::JobQueue::CancelStatus::Removed);
        QCOMPARE(scalar(f.testDb, "SELECT COUNT(*) FROM job_inputs").toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(JobQueueStateTest)
#include "tst_jobqueue_state.moc"
