// One BackendWorker driving forge-sim directly: the loaded checkpoint read at start-up, model-changed only on
// a real change, progress with step counters and live previews, the inactivity unload (once) and the model
// change it implies for the next job, the result or error of each generation, and the backend's health.
#include "server/forge/ForgeClient.h"
#include "server/forge/GenerationPayload.h"
#include "server/queue/BackendWorker.h"
#include "tests/pipeline/ForgeSim.h"
#include "tests/pipeline/TestJobs.h"

#include <QSignalSpy>
#include <QtTest>

using namespace nav;

namespace {
const QString kModelA = QStringLiteral("sd_xl_base_1.0");
const QString kModelB = QStringLiteral("flux1-dev-bnb-nf4-v2");
} // namespace

class BackendWorkerTest : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ForgeSim> m_sim;
    std::unique_ptr<forge::ForgeClient> m_client;

    void run(queue::BackendWorker &worker, const store::Job &j) {
        worker.run(j, QStringLiteral("/txt2img"), forge::txt2imgPayload(j.params, j.id));
    }

private slots:
    void init() {
        m_sim =
            std::make_unique<test::ForgeSim>(QStringList{"--models", kModelA + "," + kModelB, "--switch-ms",
                                                         "0", "--step-ms", "20", "--preview-every", "2"});
        QVERIFY(m_sim->start());
        m_client = std::make_unique<forge::ForgeClient>(QUrl(m_sim->sdApiHost()), m_sim->url(QString()));
    }
    void cleanup() {
        m_client.reset();
        m_sim.reset();
    }

    void progressPreviewsAndResult() {
        queue::WorkerSettings settings;
        settings.progressIntervalMs = 50;
        queue::BackendWorker worker("sim", m_client.get(), settings);
        worker.refreshLoadedModel();
        QTRY_VERIFY_WITH_TIMEOUT(!worker.loadedModel().isEmpty(), 10000);
        QVERIFY(worker.loadedModel().startsWith(kModelA));

        QSignalSpy started(&worker, &queue::BackendWorker::started);
        QSignalSpy changed(&worker, &queue::BackendWorker::modelChanged);
        QSignalSpy progressed(&worker, &queue::BackendWorker::progressed);
        QSignalSpy succeeded(&worker, &queue::BackendWorker::succeeded);
        QSignalSpy idle(&worker, &queue::BackendWorker::becameIdle);
        run(worker, test::txt2imgJob("aaaa0001", kModelA, 30));
        QVERIFY(worker.busy());
        QTRY_COMPARE_WITH_TIMEOUT(succeeded.count(), 1, 20000);
        QCOMPARE(idle.count(), 1);
        QVERIFY(!worker.busy());
        QCOMPARE(started.count(), 1);
        QCOMPARE(changed.count(), 0); // already loaded
        QVERIFY(progressed.count() >= 2);
        bool sawPreview = false;
        for (const auto &args : progressed) {
            const auto progress = args.at(1).value<store::JobProgress>();
            QCOMPARE(progress.totalSteps, 30);
            QVERIFY(progress.currentStep >= 0 && progress.currentStep <= 30);
            QVERIFY(progress.progress >= 0 && progress.progress <= 1);
            const QByteArray preview = args.at(2).toByteArray();
            if (!preview.isEmpty()) {
                QVERIFY(preview.startsWith("\x89PNG"));
                sawPreview = true;
            }
        }
        QVERIFY(sawPreview);
        const QByteArray png = QByteArray::fromBase64(succeeded.first().at(1).toByteArray());
        QVERIFY(png.startsWith("\x89PNG"));
        QVERIFY(succeeded.first().at(2).toJsonObject().value("seed").toDouble() >= 0);
        QCOMPARE(succeeded.first().at(3).toBool(), false);

        run(worker, test::txt2imgJob("aaaa0002", kModelB, 2));
        QTRY_COMPARE_WITH_TIMEOUT(succeeded.count(), 2, 20000);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(1).toString(), kModelB);
    }

    void unloadAfterInactivityOnce() {
        queue::WorkerSettings settings;
        settings.unloadAfterMs = 300;
        queue::BackendWorker worker("sim", m_client.get(), settings);
        worker.refreshLoadedModel();
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->state().value("unload_count").toInt(), 1, 10000);
        QTest::qWait(900); // three more intervals: still a single unload while idle
        QCOMPARE(m_sim->state().value("unload_count").toInt(), 1);
        // The next job reloads the weights: it counts as a model change even for the same checkpoint.
        QSignalSpy changed(&worker, &queue::BackendWorker::modelChanged);
        QSignalSpy succeeded(&worker, &queue::BackendWorker::succeeded);
        run(worker, test::txt2imgJob("bbbb0001", kModelA, 2));
        QTRY_COMPARE_WITH_TIMEOUT(succeeded.count(), 1, 20000);
        QCOMPARE(changed.count(), 1);
        // Idle again after the job: one more unload.
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->state().value("unload_count").toInt(), 2, 10000);
    }

    void forgeErrors() {
        queue::WorkerSettings settings;
        queue::BackendWorker worker("sim", m_client.get(), settings);
        QSignalSpy failed(&worker, &queue::BackendWorker::failed);
        QSignalSpy idle(&worker, &queue::BackendWorker::becameIdle);
        QVERIFY(m_sim->faults({{"fail_next", 1}, {"fail_status", 503}}));
        run(worker, test::txt2imgJob("cccc0001", kModelA, 2));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        const auto error = failed.first().at(1).value<forge::ForgeError>();
        QCOMPARE(error.httpStatus, 503);
        QVERIFY(!error.neverDelivered);
        QCOMPARE(idle.count(), 1);

        // A refused connection is no failure of the job: it goes back to the queue without costing an
        // attempt, and the backend is down until a probe succeeds.
        QSignalSpy returned(&worker, &queue::BackendWorker::returned);
        m_sim->kill();
        run(worker, test::txt2imgJob("cccc0002", kModelA, 2));
        QTRY_COMPARE_WITH_TIMEOUT(returned.count(), 1, 20000);
        QCOMPARE(returned.first().at(1).toBool(), false);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(worker.state(), queue::BackendWorker::State::Down);
        QVERIFY(!worker.available());
        QVERIFY(m_sim->start());
        QTRY_COMPARE_WITH_TIMEOUT(worker.state(), queue::BackendWorker::State::Up, 20000);
    }

    void generationTimeout() {
        queue::WorkerSettings settings;
        settings.generationTimeoutMs = 300;
        queue::BackendWorker worker("sim", m_client.get(), settings);
        QSignalSpy failed(&worker, &queue::BackendWorker::failed);
        run(worker, test::txt2imgJob("dddd0001", kModelA, 500)); // 10 s of sampling
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        QCOMPARE(failed.first().at(1).value<forge::ForgeError>().code, QString("ETIMEDOUT"));
        QVERIFY(!worker.busy());
    }
};

QTEST_GUILESS_MAIN(BackendWorkerTest)
#include "tst_backendworker.moc"
