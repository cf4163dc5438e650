// Durability: navigator killed with SIGKILL while one job runs and five wait, then restarted on the same
// database: every job reaches a final state exactly once and every finished job has its image. A job that was
// running at two crashes in a row is failed with a clear error instead of being retried forever. A job that
// Forge is still running at the restart is not sent again: with forge_patches/ (forge-sim's default)
// Navigator follows it and collects the image Forge kept; with stock Forge (--unpatched) it generates it
// again only after Forge is done with the old run.
#include "tests/pipeline/PipelineHarness.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSet>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kBob = QStringLiteral("222222222222222222");

// forge-sim's request log entries for one job, in arrival order.
QList<QJsonObject> runsOf(ForgeSim &sim, const QString &id) {
    QList<QJsonObject> runs;
    for (const QJsonValue &entry : sim.requests())
        if (entry.toObject().value("body").toObject().value("force_task_id").toString() == "navigator-" + id)
            runs << entry.toObject();
    return runs;
}

// Submits a 6 s job and a short one, and kills navigator while Forge runs the first.
QStringList crashWhileForgeRuns(PipelineHarness &h) {
    const QString error = h.start({kAlice});
    if (!error.isEmpty())
        return {};
    const QString id = h.txt2img(kAlice, {{"steps", 150}}).json().value("job_id").toString();
    const QString next = h.txt2img(kAlice, {{"steps", 2}}).json().value("job_id").toString();
    QElapsedTimer waited;
    waited.start();
    while (scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString() != "started" ||
           !h.sim().state().value("busy").toBool()) {
        if (waited.hasExpired(20000))
            return {};
        QTest::qWait(50);
    }
    h.nav().kill();
    return {id, next};
}
} // namespace

class PipelineRecoveryTest : public QObject {
    Q_OBJECT

private slots:
    void sigkillLosesNothing() {
        // 20 steps at 40 ms: a job runs for about a second, long enough to be killed in the middle.
        PipelineHarness h({"--step-ms", "40"});
        const QString error = h.start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QStringList ids;
        QHash<QString, QString> owners;
        for (int i = 0; i < 6; ++i) {
            const QString owner = i % 2 ? kBob : kAlice;
            const HttpReply reply =
                h.txt2img(owner, {{"steps", 20}, {"prompt", QStringLiteral("job %1").arg(i)}});
            QCOMPARE(reply.status, 200);
            ids << reply.json().value("job_id").toString();
            owners.insert(ids.last(), owner);
        }
        // Kill while the first job is running at the backend and five are queued.
        QTRY_VERIFY_WITH_TIMEOUT(h.sim().state().value("busy").toBool(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'queued'").toInt(),
                                  5, 10000);
        h.nav().kill();

        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        for (const QString &id : ids) {
            const QJsonObject state = h.waitForFinal(owners.value(id), id, 60000);
            QCOMPARE(state.value("status").toString(), QString("finished"));
            const HttpReply image = http("GET", h.nav().url("/api/images/" + id));
            QCOMPARE(image.status, 200);
        }
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs").toInt(), 6);
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM images").toInt(), 6);
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status <> 'finished'").toInt(), 0);

        // Forge saw each waiting job exactly once; only the one that was running may have been sent twice.
        QHash<QString, int> sent;
        for (const QJsonValue &entry : h.sim().requests())
            ++sent[entry.toObject().value("body").toObject().value("force_task_id").toString()];
        int resent = 0;
        for (const QString &id : ids) {
            const int count = sent.value("navigator-" + id);
            QVERIFY2(count >= 1 && count <= 2, qPrintable(id));
            resent += count - 1;
        }
        QVERIFY(resent <= 1);
    }

    void crashWhileForgeRunsCollectsTheResult() {
        PipelineHarness h({"--step-ms", "40"});
        const QStringList ids = crashWhileForgeRuns(h);
        QCOMPARE(ids.size(), 2);
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        for (const QString &id : ids) {
            const QJsonObject state = h.waitForFinal(kAlice, id, 60000);
            if (state.value("status").toString() != "finished") // QtTest cuts QVERIFY2 texts at 1 KB
                qWarning().noquote() << h.diagnosis(id, state);
            QCOMPARE(state.value("status").toString(), QString("finished"));
            QCOMPARE(http("GET", h.nav().url("/api/images/" + id)).status, 200);
        }
        // Forge ran the interrupted job once: its result was collected, not generated again.
        QCOMPARE(runsOf(h.sim(), ids[0]).size(), 1);
        QCOMPARE(runsOf(h.sim(), ids[1]).size(), 1);
        QVERIFY2(h.nav().process().output().contains("collected the result of " + ids[0].toUtf8()),
                 h.nav().process().output().right(3000).constData());
    }

    void crashWithStockForgeWaitsForTheOldRun() {
        PipelineHarness h({"--step-ms", "40", "--unpatched"});
        const QStringList ids = crashWhileForgeRuns(h);
        QCOMPARE(ids.size(), 2);
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        for (const QString &id : ids) {
            const QJsonObject state = h.waitForFinal(kAlice, id, 60000);
            if (state.value("status").toString() != "finished") // QtTest cuts QVERIFY2 texts at 1 KB
                qWarning().noquote() << h.diagnosis(id, state);
            QCOMPARE(state.value("status").toString(), QString("finished"));
        }
        // Stock Forge keeps no result: the job ran twice, but the second run was sent only after the first
        // had ended, so the two never competed for the GPU.
        const QList<QJsonObject> runs = runsOf(h.sim(), ids[0]);
        QCOMPARE(runs.size(), 2);
        QVERIFY(runs[0].value("ended_ms").toDouble() > 0);
        QVERIFY2(runs[1].value("arrived_ms").toDouble() >= runs[0].value("ended_ms").toDouble(),
                 QJsonDocument(QJsonArray{runs[0], runs[1]}).toJson().constData());
    }

    void runningAtTwoCrashesFails() {
        PipelineHarness h({"--step-ms", "40"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString id = h.txt2img(kAlice, {{"steps", 60}}).json().value("job_id").toString();
        QVERIFY(!id.isEmpty());
        const QString next = h.txt2img(kAlice, {{"steps", 2}}).json().value("job_id").toString();

        QTRY_COMPARE_WITH_TIMEOUT(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                                  QString("started"), 20000);
        h.nav().kill();
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        // Re-queued once: it starts again (second attempt).
        QTRY_VERIFY_WITH_TIMEOUT(
            scalar(h.db(), "SELECT attempts FROM jobs WHERE job_id = ? AND status = 'started'", {id})
                    .toInt() >= 2,
            20000);
        h.nav().kill();
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());

        const QJsonObject state = h.waitForFinal(kAlice, id);
        QCOMPARE(state.value("status").toString(), QString("failed"));
        const QJsonObject jobError = state.value("error").toObject();
        QVERIFY2(!jobError.value("code").toString().isEmpty(), QJsonDocument(state).toJson().constData());
        QVERIFY(!jobError.value("message").toString().isEmpty());
        // The queue goes on.
        QCOMPARE(h.waitForFinal(kAlice, next, 60000).value("status").toString(), QString("finished"));
    }
};

QTEST_GUILESS_MAIN(PipelineRecoveryTest)
#include "tst_pipeline_recovery.moc"
