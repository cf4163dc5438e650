// Several Forge backends behind one navigator (issue 11): parallel runs on forge-sim instances with different
// checkpoints and speeds, routing by checkpoint, backend names without credentials, outages that jobs wait
// out (kill and restart mid-queue, JOB_MAX_WAIT -> NO_BACKEND), no blind re-send after a dropped connection
// (the result Forge kept is collected; stock Forge keeps none), the generation timeout interrupting Forge,
// fairness and model affinity in the real dispatch order, the per-user and global caps (also under
// concurrent submissions), and the admin controls pause/resume/drain/promote.
#include "tests/pipeline/PipelineHarness.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kBob = QStringLiteral("222222222222222222");
const QString kCarol = QStringLiteral("333333333333333333");

// The jobs forge-sim received, oldest first, as navigator job ids (task id "navigator-<id>").
QStringList jobsSeenBy(const ForgeSim &sim) {
    QStringList ids;
    for (const QJsonValue &entry : sim.requests()) {
        QString task = entry.toObject().value("body").toObject().value("force_task_id").toString();
        if (task.startsWith("navigator-"))
            ids << task.mid(10);
    }
    return ids;
}

QString backendOf(PipelineHarness &h, const QString &jobId) {
    return scalar(h.db(), "SELECT backend FROM jobs WHERE job_id = ?", {jobId}).toString();
}
} // namespace

class PipelineBackendsTest : public QObject {
    Q_OBJECT

    static QString submit(PipelineHarness &h, const QString &user, const QJsonObject &fields = {}) {
        const HttpReply reply = h.txt2img(user, fields);
        if (reply.status != 200)
            qWarning() << "submit failed" << reply.status << reply.body;
        return reply.json().value("job_id").toString();
    }
    static HttpReply admin(PipelineHarness &h, const QByteArray &method, const QString &path) {
        return call(h.nav(), method, path, "Bearer " + h.nav().adminToken().toUtf8());
    }
    static QJsonObject backendState(PipelineHarness &h, int index) {
        for (const QJsonValue &b : admin(h, "GET", "/api/admin/backends").json().value("backends").toArray())
            if (b.toObject().value("name").toString() == h.backendName(index))
                return b.toObject();
        return {};
    }
    static bool waitForBackendState(PipelineHarness &h, int index, const QString &state) {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000) {
            if (backendState(h, index).value("state").toString() == state)
                return true;
            QTest::qWait(50);
        }
        return false;
    }

private slots:
    void parallelRunsWithCleanNames() {
        // The first backend requires credentials (Forge --api-auth); they must not appear anywhere.
        PipelineHarness h({"--step-ms", "30", "--api-auth", "navuser:s3cretpass"});
        h.addSim({"--step-ms", "20"});
        h.addSim({"--step-ms", "40"});
        h.setEnv("SD_API_HOST", QStringLiteral("http://navuser:s3cretpass@127.0.0.1:%1/sdapi/v1,%2,%3")
                                    .arg(h.sim(0).port())
                                    .arg(h.sim(1).sdApiHost(), h.sim(2).sdApiHost()));
        const QString error = h.start({kAlice, kBob, kCarol});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (int i = 0; i < 3; ++i)
            QVERIFY(waitForBackendState(h, i, "up"));

        QStringList ids;
        for (const QString &user : {kAlice, kBob, kCarol})
            ids << submit(h, user, {{"steps", 40}});
        // Three backends: the three jobs run at the same time.
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'started'").toInt(), 3, 20000);
        QSet<QString> backends;
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(h.waitForFinal(QStringList{kAlice, kBob, kCarol}[i], ids[i]).value("status").toString(),
                     QString("finished"));
            backends.insert(backendOf(h, ids[i]));
        }
        QCOMPARE(backends, (QSet<QString>{h.backendName(0), h.backendName(1), h.backendName(2)}));

        const HttpReply list = admin(h, "GET", "/api/admin/backends");
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json().value("backends").toArray().size(), 3);
        int done = 0;
        for (const QJsonValue &b : list.json().value("backends").toArray()) {
            QCOMPARE(b.toObject().value("state").toString(), QString("up"));
            QVERIFY(b.toObject().contains("loaded_checkpoint"));
            QVERIFY(b.toObject().value("running_job").isNull());
            done += b.toObject().value("jobs_done").toInt();
        }
        QCOMPARE(done, 3);
        QVERIFY(!list.body.contains("s3cretpass"));
        QVERIFY(!list.body.contains("navuser"));
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE backend LIKE '%s3cret%'").toInt(), 0);
        QVERIFY(!h.nav().process().output().contains("s3cretpass"));
        // Role 1 may not see the backends.
        QCOMPARE(h.as(kAlice, "GET", "/api/admin/backends").status, 403);
    }

    void jobsGoToBackendsWithTheirCheckpoint() {
        PipelineHarness h({"--models", kModelA, "--step-ms", "10"});
        h.addSim({"--models", kModelB, "--step-ms", "10"});
        const QString error = h.start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        QVERIFY(waitForBackendState(h, 1, "up"));
        // /api/models lists the union of both backends' checkpoints.
        const HttpReply models = h.as(kAlice, "GET", "/api/models");
        QCOMPARE(models.status, 200);
        QVERIFY2(models.body.contains(kModelA.toUtf8()) && models.body.contains(kModelB.toUtf8()),
                 models.body.constData());

        QStringList a, b;
        for (int i = 0; i < 3; ++i) {
            a << submit(h, kAlice, {{"model_name", kModelA}});
            b << submit(h, kBob, {{"model_name", kModelB}});
        }
        for (const QString &id : a) {
            QCOMPARE(h.waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
            QCOMPARE(backendOf(h, id), h.backendName(0));
        }
        for (const QString &id : b) {
            QCOMPARE(h.waitForFinal(kBob, id).value("status").toString(), QString("finished"));
            QCOMPARE(backendOf(h, id), h.backendName(1));
        }
    }

    void backendKilledAndRestartedMidQueue() {
        // 20 steps at 40 ms: the running job is killed in the middle.
        PipelineHarness h({"--step-ms", "40"});
        const QString error = h.start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList ids;
        for (int i = 0; i < 6; ++i)
            ids << submit(h, i % 2 ? kBob : kAlice, {{"steps", 20}});
        QTRY_VERIFY_WITH_TIMEOUT(h.sim().state().value("busy").toBool(), 20000);
        h.sim().kill();
        QVERIFY(waitForBackendState(h, 0, "down"));
        QTest::qWait(1500); // an outage longer than the old two attempts used to take
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'failed'").toInt(), 0);
        QVERIFY(h.sim().start());
        for (int i = 0; i < 6; ++i) {
            const QJsonObject state = h.waitForFinal(i % 2 ? kBob : kAlice, ids[i], 60000);
            QVERIFY2(state.value("status").toString() == "finished",
                     QJsonDocument(state).toJson().constData());
        }
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status <> 'finished'").toInt(), 0);
        QVERIFY(waitForBackendState(h, 0, "up"));
    }

    void restartFaultCostsNoAttempt() {
        PipelineHarness h({"--step-ms", "20"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        // Forge restarts and refuses connections for 2 s: the job waits, then runs with one attempt.
        QVERIFY(h.sim().faults({{"restart", true}, {"restart_ms", 2000}}));
        const QString id = submit(h, kAlice);
        const QJsonObject state = h.waitForFinal(kAlice, id);
        QCOMPARE(state.value("status").toString(), QString("finished"));
        QCOMPARE(scalar(h.db(), "SELECT attempts FROM jobs WHERE job_id = ?", {id}).toInt(), 1);
    }

    void noBackendFailsAfterMaxWait() {
        PipelineHarness h({}, {{"JOB_MAX_WAIT", "2s"}});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        h.sim().kill();
        const QString id = submit(h, kAlice);
        QTest::qWait(500);
        QCOMPARE(h.job(kAlice, id).value("status").toString(), QString("queued"));
        const QJsonObject state = h.waitForFinal(kAlice, id, 20000);
        QCOMPARE(state.value("status").toString(), QString("failed"));
        QCOMPARE(state.value("error").toObject().value("code").toString(), QString("NO_BACKEND"));
        QCOMPARE(state.value("error").toObject().value("class").toString(), QString("backend_unavailable"));
    }

    void droppedConnectionCollectsTheKeptResult() {
        // Forge finishes the job after the connection dropped and keeps its result (forge_patches/, which
        // forge-sim applies by default): Navigator collects it instead of failing the job.
        PipelineHarness h({"--step-ms", "20"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(h.sim().faults({{"drop_next", 1}}));
        const QString dropped = submit(h, kAlice, {{"steps", 20}});
        QCOMPARE(h.waitForFinal(kAlice, dropped).value("status").toString(), QString("finished"));
        QCOMPARE(http("GET", h.nav().url("/api/images/" + dropped)).status, 200);
        QCOMPARE(jobsSeenBy(h.sim()).count(dropped), 1);
    }

    void droppedConnectionOnStockForgeRunsOnceAndFails() {
        PipelineHarness h({"--step-ms", "20", "--unpatched"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(h.sim().faults({{"drop_next", 1}}));
        const QString dropped = submit(h, kAlice, {{"steps", 20}});
        const QString next = submit(h, kAlice);
        const QJsonObject state = h.waitForFinal(kAlice, dropped);
        QCOMPARE(h.waitForFinal(kAlice, next).value("status").toString(), QString("finished"));
        // Forge ran the dropped job exactly once (Qt did not re-send it), and the client is told why it
        // has no image.
        QCOMPARE(jobsSeenBy(h.sim()).count(dropped), 1);
        QCOMPARE(state.value("status").toString(), QString("failed"));
        QCOMPARE(state.value("error").toObject().value("code").toString(), QString("FORGE_CONNECTION_LOST"));
        QCOMPARE(state.value("error").toObject().value("class").toString(), QString("backend_unavailable"));
    }

    void timeoutInterruptsForgeAndFreesTheBackend() {
        // 100 steps at 40 ms (4 s) against a 1 s timeout.
        PipelineHarness h({"--step-ms", "40"}, {{"FORGE_GENERATION_TIMEOUT", "1s"}});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString slow = submit(h, kAlice, {{"steps", 100}});
        const QString next = submit(h, kAlice, {{"steps", 4}});
        const QJsonObject state = h.waitForFinal(kAlice, slow);
        QCOMPARE(state.value("status").toString(), QString("failed"));
        QCOMPARE(state.value("error").toObject().value("class").toString(), QString("timeout"));
        QCOMPARE(h.waitForFinal(kAlice, next).value("status").toString(), QString("finished"));
        QJsonObject slowLog, nextLog;
        for (const QJsonValue &entry : h.sim().requests()) {
            const QString task = entry.toObject().value("body").toObject().value("force_task_id").toString();
            if (task == "navigator-" + slow)
                slowLog = entry.toObject();
            if (task == "navigator-" + next)
                nextLog = entry.toObject();
        }
        // Forge was told to stop the abandoned job, and the next one was only sent once Forge was free, so
        // it did not wait inside Forge behind it.
        QCOMPARE(slowLog.value("outcome").toString(), QString("interrupted"));
        QVERIFY2(nextLog.value("arrived_ms").toDouble() >= slowLog.value("ended_ms").toDouble(),
                 QJsonDocument(h.sim().requests()).toJson().constData());
    }

    void fairnessAffinityPromoteAndCaps() {
        PipelineHarness h({"--step-ms", "5"}, {{"MAX_JOBS_PER_USER", "6"}, {"SCHEDULER_MAX_SKIPS", "4"}});
        const QString error = h.start({kAlice, kBob, kCarol});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        const QString name = h.backendName(0);
        QCOMPARE(admin(h, "POST", "/api/admin/backends/nope:1/pause").status, 404);
        QCOMPARE(h.as(kAlice, "POST", "/api/admin/backends/" + name + "/pause").status, 403);
        const HttpReply paused = admin(h, "POST", "/api/admin/backends/" + name + "/pause");
        QCOMPARE(paused.status, 200);
        QCOMPARE(paused.json().value("backend").toObject().value("state").toString(), QString("paused"));

        // Fairness: Alice queues 5, then Bob 1. Bob's job is second in the dispatch order, not sixth.
        QStringList alice;
        for (int i = 0; i < 5; ++i)
            alice << submit(h, kAlice);
        const QString bob = submit(h, kBob);
        QCOMPARE(h.job(kBob, bob).value("position").toInt(), 2);
        const QJsonArray bobsQueue = h.as(kBob, "GET", "/api/queue").json().value("jobs").toArray();
        QCOMPARE(bobsQueue.size(), 1);
        QCOMPARE(bobsQueue[0].toObject().value("position").toInt(), 2);
        QCOMPARE(h.job(kAlice, alice[4]).value("position").toInt(), 6);

        // The per-user cap at the boundary: the 6th is accepted, the 7th is not; apex/superuser is exempt.
        alice << submit(h, kAlice);
        QVERIFY(!alice.last().isEmpty());
        const HttpReply over = h.txt2img(kAlice);
        QCOMPARE(over.status, 429);
        QCOMPARE(over.json().value("error_code").toString(), QString("USER_QUEUE_FULL"));
        QVERIFY(over.json().value("error").toString().contains("6"));
        const QString bob2 = submit(h, kBob);
        QVERIFY(!bob2.isEmpty());

        // Promote Alice's last job to the front.
        const HttpReply promoted = admin(h, "POST", "/api/admin/queue/" + alice.last() + "/promote");
        QCOMPARE(promoted.status, 200);
        QCOMPARE(promoted.json().value("position").toInt(), 1);
        QCOMPARE(h.job(kAlice, alice.last()).value("position").toInt(), 1);
        QCOMPARE(admin(h, "POST", "/api/admin/queue/ffffffff/promote").status, 404);
        // The admin queue lists the waiting jobs in dispatch order, numbered as each job's own state says.
        const QJsonArray waiting = admin(h, "GET", "/api/admin/queue").json().value("jobs").toArray();
        QCOMPARE(waiting.size(), alice.size() + 2);
        QCOMPARE(waiting[0].toObject().value("job_id").toString(), alice.last());
        QCOMPARE(waiting[2].toObject().value("job_id").toString(), bob);
        for (int i = 0; i < waiting.size(); ++i) {
            const QJsonObject row = waiting[i].toObject();
            QCOMPARE(row.value("position").toInt(), i + 1);
            const QString owner = row.value("owner_id").toString();
            QCOMPARE(h.job(owner, row.value("job_id").toString()).value("position").toInt(), i + 1);
        }

        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + name + "/resume").status, 200);
        for (const QString &id : alice)
            QCOMPARE(h.waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        QCOMPARE(h.waitForFinal(kBob, bob).value("status").toString(), QString("finished"));
        QCOMPARE(h.waitForFinal(kBob, bob2).value("status").toString(), QString("finished"));
        const QStringList ran = jobsSeenBy(h.sim());
        // The promoted job first (it was Alice's turn), then round-robin: Bob, Alice, Bob, Alice...
        QCOMPARE(ran, (QStringList{alice[5], bob, alice[0], bob2, alice[1], alice[2], alice[3], alice[4]}));

        // The superuser token is not held to MAX_JOBS_PER_USER.
        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + name + "/pause").status, 200);
        for (int i = 0; i < 7; ++i) {
            const HttpReply reply =
                call(h.nav(), "POST", "/api/queue/user/txt2img", "Bearer " + h.nav().adminToken().toUtf8(),
                     QJsonObject{{"model_name", kModelA}, {"prompt", "superuser"}, {"steps", 4}});
            QCOMPARE(reply.status, 200);
        }
    }

    void affinitySwapsCheckpointsLess() {
        // Alice wants checkpoint B, Bob the loaded A, submitted alternately while the backend is paused.
        PipelineHarness h({"--step-ms", "5"}, {{"SCHEDULER_MAX_SKIPS", "4"}});
        const QString error = h.start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/pause").status, 200);
        QStringList ids;
        for (int i = 0; i < 4; ++i) {
            ids << submit(h, kAlice, {{"model_name", kModelB}});
            ids << submit(h, kBob, {{"model_name", kModelA}});
        }
        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/resume").status, 200);
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(h.waitForFinal(i % 2 ? kBob : kAlice, ids[i]).value("status").toString(),
                     QString("finished"));
        QStringList models;
        for (const QJsonValue &entry : h.sim().requests())
            models << entry.toObject().value("model").toString();
        // Bob's jobs run on the loaded A first (Alice's first job is passed over 4 times), then Alice's:
        // one checkpoint swap instead of seven in plain round-robin order.
        QCOMPARE(models,
                 (QStringList{kModelA, kModelA, kModelA, kModelA, kModelB, kModelB, kModelB, kModelB}));
    }

    void drainFinishesTheRunningJobThenPauses() {
        PipelineHarness h({"--step-ms", "40"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        const QString running = submit(h, kAlice, {{"steps", 30}});
        h.waitForStatus(kAlice, running, {"started", "processing"});
        const HttpReply drain = admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/drain");
        QCOMPARE(drain.json().value("backend").toObject().value("state").toString(), QString("draining"));
        QCOMPARE(drain.json()
                     .value("backend")
                     .toObject()
                     .value("running_job")
                     .toObject()
                     .value("job_id")
                     .toString(),
                 running);
        const QString waiting = submit(h, kAlice, {{"steps", 4}});
        QCOMPARE(h.waitForFinal(kAlice, running).value("status").toString(), QString("finished"));
        QVERIFY(waitForBackendState(h, 0, "paused"));
        QTest::qWait(500);
        QCOMPARE(h.job(kAlice, waiting).value("status").toString(), QString("queued"));
        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/resume").status, 200);
        QCOMPARE(h.waitForFinal(kAlice, waiting).value("status").toString(), QString("finished"));
    }

    void adminSocketsGetBackendStateEvents() {
        if (!QFile::exists(
                QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat/node_modules/socket.io-client"))) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("socket.io-client is not installed: run `npm ci --prefix tests/compat`");
            QSKIP("socket.io-client is not installed: run `npm ci --prefix tests/compat`");
        }
        const QString kAdmin = QStringLiteral("999999999999999999");
        PipelineHarness h({"--step-ms", "10"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(seed(h.db(), "INSERT INTO users (id, role) VALUES (?, 3)", {kAdmin.toLongLong()}));
        QVERIFY(waitForBackendState(h, 0, "up"));
        ChildProcess admin, user;
        for (auto [listener, who] : {std::pair{&admin, kAdmin}, std::pair{&user, kAlice}}) {
            const QByteArray token = h.token(who);
            QVERIFY(
                listener->start(QStringLiteral("node"),
                                {QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs"),
                                 h.nav().rtUrl().toString(), QString::fromLatin1(token.mid(7))}));
            QTRY_VERIFY_WITH_TIMEOUT(listener->output().contains("READY"), 20000);
        }
        QCOMPARE(this->admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/pause").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(admin.output().contains("\"backend-state\""), 10000);
        bool sawPaused = false;
        for (const QByteArray &line : admin.output().split('\n')) {
            const QJsonObject event = QJsonDocument::fromJson(line).object();
            if (event.value("event").toString() == "backend-state") {
                QCOMPARE(event.value("payload").toObject().value("name").toString(), h.backendName(0));
                sawPaused |= event.value("payload").toObject().value("state").toString() == "paused";
            }
        }
        QVERIFY(sawPaused);
        QTest::qWait(300);
        QVERIFY(!user.output().contains("backend-state")); // not for role 1
        admin.kill();
        user.kill();
    }

    void concurrentSubmittersCannotOvershootTheCap() {
        PipelineHarness h({"--step-ms", "100"}, {{"MAX_QUEUE_LENGTH", "6"}, {"MAX_JOBS_PER_USER", "0"}});
        const QString error = h.start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(waitForBackendState(h, 0, "up"));
        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/pause").status, 200);
        // Two submitters fire 10 requests each at once.
        QNetworkAccessManager network;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 20; ++i) {
            QNetworkRequest request(h.nav().url("/api/queue/user/txt2img"));
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
            request.setRawHeader("Authorization", h.token(i % 2 ? kBob : kAlice));
            replies << network.post(
                request,
                QJsonDocument(QJsonObject{{"model_name", kModelA}, {"prompt", "concurrent"}, {"steps", 60}})
                    .toJson(QJsonDocument::Compact));
        }
        int accepted = 0, refused = 0;
        for (QNetworkReply *reply : replies) {
            QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 30000);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            accepted += status == 200;
            refused += status == 429;
            reply->deleteLater();
        }
        QCOMPARE(accepted, 6);
        QCOMPARE(refused, 14);
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs").toInt(), 6);
        // Running jobs count too: with one running and five waiting, the queue is still full.
        QCOMPARE(admin(h, "POST", "/api/admin/backends/" + h.backendName(0) + "/resume").status, 200);
        // (each job runs 60 steps at 100 ms, so the first is still running when we submit)
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'started'").toInt(), 1, 20000);
        const HttpReply full = h.txt2img(kAlice);
        QCOMPARE(full.status, 429);
        QCOMPARE(full.json().value("error_code").toString(), QString("QUEUE_FULL"));
    }
};

QTEST_GUILESS_MAIN(PipelineBackendsTest)
#include "tst_pipeline_backends.moc"
