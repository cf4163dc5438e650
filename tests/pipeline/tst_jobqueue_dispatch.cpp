// A job for an idle backend is sent to Forge while its row is being inserted (JobQueue::enqueue), against a
// real database (SQLite or MariaDB) and forge-sim, in-process. The database pool has one connection, so a
// blocker the test puts on it first holds the insert back for as long as the test wants:
//  - the Forge request goes out before the insert commits, and nobody hears of the job until it has;
//  - the job's state writes (started, finished with its image) land after its row, even when Forge finished
//    before the insert committed;
//  - an insert that fails (duplicate id, a refused statement) interrupts the generation and leaves no event,
//    no row and no queue state behind, with the answer the submission got before.
// The database-unavailable case (503) is in tst_pipeline_outage, which stops a private MariaDB.
#include "server/forge/ForgeClient.h"
#include "server/queue/JobQueue.h"
#include "server/store/Database.h"
#include "server/store/JobRepository.h"
#include "tests/pipeline/ForgeSim.h"
#include "tests/pipeline/TestJobs.h"
#include "tests/support/ApiTestHelpers.h"
#include "tests/support/TestDatabaseConfig.h"
#include "tests/support/TestSupport.h"

#include <QSemaphore>
#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

const QString kModel = QStringLiteral("sd_xl_base_1.0");

template <typename T> T wait(QFuture<T> future) {
    future.waitForFinished();
    if constexpr (!std::is_void_v<T>)
        return future.result();
}

using Status = queue::JobQueue::EnqueueStatus;

struct Fixture {
    explicit Fixture(const QStringList &simArgs, int maxQueueLength = 1000) : sim(simArgs) {
        if (!sim.start())
            qFatal("forge-sim did not start");
        QString error;
        database = store::Database::open(databaseConfigFor(testDb, 1), &error); // one connection: see above
        if (!database || !database->migrate(&error))
            qFatal("database: %s", qPrintable(error));
        repository = std::make_unique<store::JobRepository>(*database);
        client = std::make_unique<forge::ForgeClient>(QUrl(sim.sdApiHost()), sim.url(QString()));
        worker = std::make_unique<queue::BackendWorker>(QStringLiteral("sim"), client.get(),
                                                        queue::WorkerSettings{});
        queue::QueueSettings settings;
        settings.maxQueueLength = maxQueueLength;
        settings.maxJobsPerUser = 1;
        queue = std::make_unique<queue::JobQueue>(
            *repository,
            [this](const QString &, const QString &, const QString &event, const QJsonObject &payload) {
                events << event + QLatin1Char(' ') + payload.value("job_id").toString();
            },
            settings);
        queue->addBackend(worker.get());
        worker->refreshLoadedModel();
    }
    ~Fixture() {
        release();
        queue.reset();
        worker.reset();
        client.reset();
        database->stop();
        repository.reset();
        database.reset();
    }
    bool start() {
        bool done = false;
        QString failure;
        queue->recover([&](const QString &error) {
            failure = error;
            done = true;
        });
        return QTest::qWaitFor([&] { return done; }, 20000) && failure.isEmpty() &&
               QTest::qWaitFor([&] { return worker->available(); }, 20000);
    }
    // Occupies the only pool connection until release(); `first` runs on it before it waits.
    void block(std::function<void(QSqlDatabase &)> first = {}) {
        blocked = database->run<void>([this, first](QSqlDatabase &db) {
            if (first)
                first(db);
            gate.acquire();
        });
    }
    void release() {
        if (blocked.isValid() && !blocked.isFinished()) {
            gate.release();
            blocked.waitForFinished();
        }
    }
    // Submits `job`; the answer lands in `status`.
    void submit(const store::Job &job) {
        queue->enqueue(job, std::nullopt, false, [this](Status s, int size) {
            status = s;
            answeredSize = size;
        });
    }
    QVariant value(const QString &sql, const QVariantList &binds = {}) { return scalar(testDb, sql, binds); }
    // The generation requests forge-sim received for `jobId`.
    int generations(const QString &jobId) const {
        int count = 0;
        for (const QJsonValue &entry : sim.requests())
            count += entry.toObject().value("body").toObject().value("force_task_id").toString() ==
                             QStringLiteral("navigator-") + jobId
                         ? 1
                         : 0;
        return count;
    }

    TestDatabase testDb;
    ForgeSim sim;
    std::unique_ptr<store::Database> database;
    std::unique_ptr<store::JobRepository> repository;
    std::unique_ptr<forge::ForgeClient> client;
    std::unique_ptr<queue::BackendWorker> worker;
    std::unique_ptr<queue::JobQueue> queue;
    QSemaphore gate;
    QFuture<void> blocked;
    QStringList events;
    std::optional<Status> status;
    int answeredSize = -1;
};

const QStringList kFastSim{"--models", kModel, "--switch-ms", "0", "--step-ms", "5"};
const QStringList kSlowSim{"--models", kModel, "--switch-ms", "0", "--step-ms", "50"};

} // namespace

class JobQueueDispatchTest : public QObject {
    Q_OBJECT

private slots:
    // The Forge request is on its way while the insert cannot even start; the answer, task-queued and
    // task-started wait for the commit, in that order, and the job is not visible in the queue before it.
    void forgeRequestBeforeTheInsertCommits() {
        Fixture f(kSlowSim);
        QVERIFY(f.start());
        f.block();
        const store::Job job = txt2imgJob(QStringLiteral("early0001"), kModel, 20);
        f.submit(job);
        QTRY_VERIFY_WITH_TIMEOUT(!f.sim.requestFor(job.id).isEmpty(), 10000);
        QVERIFY(f.worker->busy());
        QVERIFY(!f.status.has_value());
        QVERIFY2(f.events.isEmpty(), qPrintable(f.events.join(", ")));
        QCOMPARE(f.queue->queueSize(), 0);
        QVERIFY(f.queue->running().isEmpty());
        QVERIFY(!f.queue->runningOn(*f.worker)); // the admins' backend list does not show it either
        QCOMPARE(f.queue->position(job.id), -1);
        f.release();

        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, Status::Queued);
        QCOMPARE(f.answeredSize, 1);
        QCOMPARE(f.events.mid(0, 2), (QStringList{"task-queued early0001", "task-started early0001"}));
        QCOMPARE(f.queue->position(job.id), 0);
        QCOMPARE(f.queue->running().size(), 1);
        QCOMPARE(f.queue->runningOn(*f.worker)->id, job.id);
        QTRY_VERIFY_WITH_TIMEOUT(f.events.contains("task-finished early0001"), 20000);
        QCOMPARE(f.value("SELECT status FROM jobs WHERE job_id = ?", {job.id}).toString(),
                 QString("finished"));
        QCOMPARE(f.queue->queueSize(), 0);
    }

    // Forge finishes the job before its row is in: the started and finished writes wait in the chain and
    // land after the insert, so the row ends finished with its image, and task-finished comes last.
    void stateWritesLandAfterTheInsert() {
        Fixture f(kFastSim);
        QVERIFY(f.start());
        f.block();
        const store::Job job = txt2imgJob(QStringLiteral("early0002"), kModel, 2);
        f.submit(job);
        QTRY_COMPARE_WITH_TIMEOUT(f.sim.requestFor(job.id).value("outcome").toString(), QString("ok"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!f.worker->busy(), 10000);
        QTest::qWait(100); // the result is in the queue's hands now; nothing may have reached anyone
        QVERIFY2(f.events.isEmpty(), qPrintable(f.events.join(", ")));
        QVERIFY(!f.status.has_value());
        f.release();

        QTRY_VERIFY_WITH_TIMEOUT(f.events.contains("task-finished early0002"), 20000);
        QCOMPARE(*f.status, Status::Queued);
        QCOMPARE(f.events,
                 (QStringList{"task-queued early0002", "task-started early0002", "task-finished early0002"}));
        QCOMPARE(f.value("SELECT status FROM jobs WHERE job_id = ?", {job.id}).toString(),
                 QString("finished"));
        QCOMPARE(f.value("SELECT attempts FROM jobs WHERE job_id = ?", {job.id}).toInt(), 1);
        QCOMPARE(f.value("SELECT backend FROM jobs WHERE job_id = ?", {job.id}).toString(), QString("sim"));
        QVERIFY(!f.value("SELECT started_at FROM jobs WHERE job_id = ?", {job.id}).isNull());
        QVERIFY(f.value("SELECT LENGTH(image_data) FROM images WHERE id = ?", {job.id}).toInt() > 100);
    }

    void insertFailureInterruptsTheGeneration_data() {
        QTest::addColumn<bool>("duplicate");
        QTest::newRow("duplicate id") << true;
        QTest::newRow("refused statement") << false;
    }
    // The insert fails after the job went to Forge: the generation is interrupted, the submission gets the
    // answer it got before (DuplicateId / Error), nobody hears of the job, no row or write of it lands, and
    // the queue's counts are clean (a queue of one takes the next job).
    void insertFailureInterruptsTheGeneration() {
        QFETCH(bool, duplicate);
        Fixture f(kSlowSim, 1);
        QVERIFY(f.start());
        const store::Job job =
            txt2imgJob(QStringLiteral("early0003"), kModel, 200); // 10 s unless interrupted
        if (duplicate) {
            // A row with this id that the queue does not know (written by another navigator, say).
            QCOMPARE(wait(f.repository->enqueue(job, std::nullopt)).result,
                     store::JobRepository::EnqueueResult::Inserted);
            f.block();
        } else {
            f.block([](QSqlDatabase &db) { store::exec(db, "ALTER TABLE jobs RENAME TO jobs_away"); });
        }
        QElapsedTimer clock;
        clock.start();
        f.submit(job);
        QTRY_VERIFY_WITH_TIMEOUT(!f.sim.requestFor(job.id).isEmpty(), 10000);
        f.release();
        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, duplicate ? Status::DuplicateId : Status::Error);
        QCOMPARE(f.answeredSize, 0);
        if (!duplicate)
            wait(f.database->run<void>(
                [](QSqlDatabase &db) { store::exec(db, "ALTER TABLE jobs_away RENAME TO jobs"); }));

        QTRY_COMPARE_WITH_TIMEOUT(f.sim.requestFor(job.id).value("outcome").toString(),
                                  QString("interrupted"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(f.worker->available(), 10000);
        QVERIFY2(clock.elapsed() < 9000, "the generation ran to its end");
        QTest::qWait(200); // the ignored result and anything it could have written
        QVERIFY2(f.events.isEmpty(), qPrintable(f.events.join(", ")));
        QCOMPARE(f.queue->queueSize(), 0);
        QVERIFY(f.queue->running().isEmpty());
        QCOMPARE(f.queue->position(job.id), -1);
        QCOMPARE(f.value("SELECT COUNT(*) FROM jobs").toInt(), duplicate ? 1 : 0);
        QCOMPARE(f.value("SELECT COUNT(*) FROM images").toInt(), duplicate ? 1 : 0);
        if (duplicate) { // the other row is untouched
            QCOMPARE(f.value("SELECT status FROM jobs WHERE job_id = ?", {job.id}).toString(),
                     QString("queued"));
            QCOMPARE(f.value("SELECT attempts FROM jobs WHERE job_id = ?", {job.id}).toInt(), 0);
            QVERIFY(f.value("SELECT backend FROM jobs WHERE job_id = ?", {job.id}).isNull());
        }

        // MAX_QUEUE_LENGTH 1 and MAX_JOBS_PER_USER 1: no slot of the failed submission is left held.
        f.status.reset();
        const store::Job next = txt2imgJob(QStringLiteral("early0004"), kModel, 2);
        f.submit(next);
        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, Status::Queued);
        QTRY_VERIFY_WITH_TIMEOUT(f.events.contains("task-finished early0004"), 20000);
        QCOMPARE(f.events.first(), QString("task-queued early0004"));
        QCOMPARE(f.value("SELECT status FROM jobs WHERE job_id = ?", {next.id}).toString(),
                 QString("finished"));
    }

    // A job whose id is running is not sent early a second time: its insert finds the duplicate as before.
    void knownIdIsNotSentEarly() {
        Fixture f(kSlowSim);
        QVERIFY(f.start());
        const store::Job job = txt2imgJob(QStringLiteral("early0005"), kModel, 40);
        f.submit(job);
        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, Status::Queued);
        QVERIFY(f.worker->busy());
        f.status.reset();
        f.queue->enqueue(job, std::nullopt, true, [&](Status s, int) { f.status = s; });
        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, Status::DuplicateId);
        QTRY_VERIFY_WITH_TIMEOUT(f.events.contains("task-finished early0005"), 20000);
        QCOMPARE(f.generations(job.id), 1);
        QCOMPARE(f.sim.requestFor(job.id).value("outcome").toString(), QString("ok"));
    }

    // The same id again while the first job's finished write still waits in the chain: it is not sent early
    // (holding and then dropping that id's writes would take the first job's with it), its insert finds the
    // duplicate, and the first job ends finished.
    void idWithAPendingWriteIsNotSentEarly() {
        Fixture f(kSlowSim);
        QVERIFY(f.start());
        const store::Job job =
            txt2imgJob(QStringLiteral("early0006"), kModel, 6); // 300 ms: still running at the block
        f.submit(job);
        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, Status::Queued);
        QVERIFY(f.worker->busy());
        f.block(); // before Forge's answer: the finished write waits behind the blocker
        QTRY_COMPARE_WITH_TIMEOUT(f.sim.requestFor(job.id).value("outcome").toString(), QString("ok"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!f.worker->busy(), 10000);
        f.status.reset();
        f.queue->enqueue(job, std::nullopt, true, [&](Status s, int) { f.status = s; });
        QCOMPARE(f.generations(job.id), 1);
        f.release();
        QTRY_VERIFY_WITH_TIMEOUT(f.status.has_value(), 10000);
        QCOMPARE(*f.status, Status::DuplicateId);
        QTRY_VERIFY_WITH_TIMEOUT(f.events.contains("task-finished early0006"), 20000);
        QCOMPARE(f.value("SELECT status FROM jobs WHERE job_id = ?", {job.id}).toString(),
                 QString("finished"));
        QCOMPARE(f.sim.requests().size(), 1);
    }
};

QTEST_GUILESS_MAIN(JobQueueDispatchTest)
#include "tst_jobqueue_dispatch.moc"
