// JobQueueAdminSource over the real JobQueue and jobs table (fresh database, no backends, so jobs wait):
// waiting jobs in queue order with their positions and request fields, ended ones from the table, newest
// first, with their errors.
#include "server/api/AdminQueueRoutes.h"
#include "server/api/JobQueueAdminSource.h"
#include "server/config/Config.h"
#include "server/queue/JobQueue.h"
#include "server/store/Database.h"
#include "server/store/JobRepository.h"
#include "tests/support/TestSupport.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace nav;

class AdminQueueSourceTest : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDb;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<store::JobRepository> m_jobs;
    std::unique_ptr<queue::JobQueue> m_queue;

    static store::Job job(const QString &id, const QString &owner, const QString &prompt) {
        store::Job job;
        job.id = id;
        job.ownerId = owner;
        job.origin = QStringLiteral("127.0.0.1");
        job.taskType = QStringLiteral("txt2img");
        job.status = QStringLiteral("queued");
        job.modelName = QStringLiteral("modelA");
        job.params = QJsonObject{{"prompt", prompt}, {"width", 512}, {"height", 768}, {"steps", 25}};
        job.createdAt = QDateTime::currentDateTimeUtc();
        return job;
    }

    template <typename T> T wait(QFuture<T> future) {
        QElapsedTimer clock;
        clock.start();
        while (!future.isFinished() && clock.elapsed() < 15000)
            QTest::qWait(10);
        if constexpr (!std::is_void_v<T>)
            return future.result();
    }

    api::AdminQueueSnapshot snapshot(int recent) {
        bool done = false;
        api::AdminQueueSnapshot result;
        m_source->adminSnapshot(recent, [&](const api::AdminQueueSnapshot &s, const QString &error) {
            QVERIFY2(error.isEmpty(), qPrintable(error));
            result = s;
            done = true;
        });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(done, 15000); }();
        return result;
    }
    std::unique_ptr<api::JobQueueAdminSource> m_source;

private slots:
    void initTestCase() {
        m_testDb = std::make_unique<test::TestDatabase>();
        config::EnvMap env{{"SECRET_KEY", "x"}};
        const auto vars = m_testDb->envVars();
        for (auto it = vars.begin(); it != vars.end(); ++it)
            env.insert(it.key(), it.value());
        QString error;
        m_db = store::Database::open(std::get<config::Config>(config::loadConfig({}, env)).db, &error);
        QVERIFY2(m_db, qPrintable(error));
        QVERIFY2(m_db->migrate(&error), qPrintable(error));
        m_jobs = std::make_unique<store::JobRepository>(*m_db);
        queue::QueueSettings settings;
        settings.maxQueueLength = 100;
        m_queue = std::make_unique<queue::JobQueue>(
            *m_jobs, [](auto &&...) {}, settings);
        m_source = std::make_unique<api::JobQueueAdminSource>(*m_queue, *m_jobs);
        bool recovered = false;
        m_queue->recover([&](const QString &error) {
            QVERIFY2(error.isEmpty(), qPrintable(error));
            recovered = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(recovered, 15000);
    }
    void cleanupTestCase() {
        m_source.reset();
        m_queue.reset();
        m_jobs.reset();
        m_db.reset();
    }

    void waitingJobsInOrder() {
        // One after the other: the point here is the listing, not concurrent inserts.
        for (const auto &[id, owner] : {std::pair{"aaaa0001", "100"}, std::pair{"aaaa0002", "200"}}) {
            std::optional<queue::JobQueue::EnqueueStatus> result;
            m_queue->enqueue(job(id, owner, QStringLiteral("prompt of ") + id), std::nullopt, false,
                             [&result](queue::JobQueue::EnqueueStatus status, int) { result = status; });
            QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15000);
            QCOMPARE(*result, queue::JobQueue::EnqueueStatus::Queued);
        }

        const api::AdminQueueSnapshot s = snapshot(0);
        QCOMPARE(s.active.size(), 2);
        QVERIFY(s.recent.isEmpty());
        QCOMPARE(s.active[0].jobId, QStringLiteral("aaaa0001"));
        QCOMPARE(s.active[0].position, 1);
        QCOMPARE(s.active[1].position, 2);
        QCOMPARE(s.active[0].status, QStringLiteral("queued"));
        QCOMPARE(s.active[1].ownerId, QStringLiteral("200"));
        QCOMPARE(s.active[0].prompt, QStringLiteral("prompt of aaaa0001"));
        QCOMPARE(s.active[0].width, 512);
        QCOMPARE(s.active[0].height, 768);
        QCOMPARE(s.active[0].steps, 25);
        QCOMPARE(s.active[0].modelName, QStringLiteral("modelA"));
        QCOMPARE(s.active[0].taskType, QStringLiteral("txt2img"));
        QVERIFY(s.active[0].submittedAt.isValid());
        // Rendered for the wire.
        const QJsonObject json = s.active[1].toJson();
        QCOMPARE(json.value("position").toInt(), 2);
        QVERIFY(json.value("eta_relative").isNull());
    }

    void endedJobsFromTheTable() {
        QCOMPARE(wait(m_jobs->enqueue(job("bbbb0001", "100", "old"), std::nullopt)).result,
                 store::JobRepository::EnqueueResult::Inserted);
        wait(m_jobs->markFailed("bbbb0001", "HTTP_500", "Forge said no"));
        QCOMPARE(wait(m_jobs->enqueue(job("bbbb0002", "100", "newer"), std::nullopt)).result,
                 store::JobRepository::EnqueueResult::Inserted);
        wait(m_jobs->markFailed("bbbb0002", "ECONNREFUSED", "refused"));

        const api::AdminQueueSnapshot s = snapshot(5);
        QCOMPARE(s.active.size(), 2); // the waiting jobs of the previous test
        QCOMPARE(s.recent.size(), 2);
        QCOMPARE(s.recent[0].jobId, QStringLiteral("bbbb0002"));
        QCOMPARE(s.recent[0].status, QStringLiteral("failed"));
        QCOMPARE(s.recent[0].errorCode, QStringLiteral("ECONNREFUSED"));
        QCOMPARE(s.recent[1].errorMessage, QStringLiteral("Forge said no"));
        QCOMPARE(snapshot(1).recent.size(), 1);
    }

    void removedJobLeavesTheList() {
        bool cancelled = false;
        m_queue->cancel("aaaa0001", "admin", true, [&](queue::JobQueue::CancelStatus status) {
            QCOMPARE(status, queue::JobQueue::CancelStatus::Removed);
            cancelled = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(cancelled, 15000);
        const api::AdminQueueSnapshot s = snapshot(0);
        QCOMPARE(s.active.size(), 1);
        QCOMPARE(s.active[0].jobId, QStringLiteral("aaaa0002"));
        QCOMPARE(s.active[0].position, 1);
    }
};

QTEST_GUILESS_MAIN(AdminQueueSourceTest)
#include "tst_adminqueuesource.moc"
