// Graceful shutdown: SIGTERM while one job runs and five wait ends with exit code 0 after the running job is
// stored; submissions meanwhile get 503 SHUTTING_DOWN; the realtime client gets an Engine.IO close (it would
// reconnect); after a restart all six finish and Forge ran each exactly once. A job that outlives
// SHUTDOWN_GRACE is re-queued without costing an attempt; a second signal exits at once. Every error exit
// keeps its documented code.
#include "tests/pipeline/PipelineHarness.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTcpServer>
#include <QtTest>

#include <csignal>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");

QHash<QString, int> sentPerJob(ForgeSim &sim) {
    QHash<QString, int> sent;
    for (const QJsonValue &entry : sim.requests())
        ++sent[entry.toObject().value("body").toObject().value("force_task_id").toString()];
    return sent;
}

bool clientInstalled() {
    return QFile::exists(QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat/node_modules/socket.io-client"));
}
} // namespace

class PipelineShutdownTest : public QObject {
    Q_OBJECT

private slots:
    void sigtermFinishesTheRunningJobAndKeepsTheQueue() {
        PipelineHarness h({"--step-ms", "40"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        ChildProcess listener;
        const bool withClient = clientInstalled();
        if (withClient) {
            QVERIFY(listener.start("node", {NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs",
                                            h.nav().rtUrl().toString()}));
            QTRY_VERIFY_WITH_TIMEOUT(listener.output().contains("READY"), 20000);
        }
        QStringList ids;
        for (int i = 0; i < 6; ++i) {
            const HttpReply reply =
                h.txt2img(kAlice, {{"steps", 25}, {"prompt", QStringLiteral("job %1").arg(i)}});
            QCOMPARE(reply.status, 200);
            ids << reply.json().value("job_id").toString();
        }
        QTRY_VERIFY_WITH_TIMEOUT(h.sim().state().value("busy").toBool(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'queued'").toInt(),
                                  5, 10000);

        ::kill(static_cast<pid_t>(h.nav().process().pid()), SIGTERM);
        const HttpReply refused = h.txt2img(kAlice);
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value("error_code").toString(), QString("SHUTTING_DOWN"));
        QVERIFY(!refused.header("retry-after").isEmpty());
        QVERIFY(h.nav().process().waitForExit(60000));
        QCOMPARE(h.nav().process().exitCode(), 0);
        QVERIFY2(h.nav().process().output().contains("shutting down gracefully"),
                 h.nav().process().output().constData());
        // The running job was stored before the exit; the five others still wait.
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'finished'").toInt(), 1);
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status = 'queued'").toInt(), 5);
        if (withClient) {
            QVERIFY(listener.waitForExit(10000));
            QVERIFY2(listener.output().contains("\"reason\":\"transport close\""),
                     listener.output().constData());
        }

        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        for (const QString &id : ids)
            QCOMPARE(h.waitForFinal(kAlice, id, 60000).value("status").toString(), QString("finished"));
        const QHash<QString, int> sent = sentPerJob(h.sim());
        for (const QString &id : ids)
            QCOMPARE(sent.value("navigator-" + id), 1);
        QCOMPARE(scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE attempts <> 1").toInt(), 0);
    }

    void graceOverRequeuesWithoutCostingAnAttempt() {
        PipelineHarness h({"--step-ms", "50"}, {{"SHUTDOWN_GRACE", "1s"}});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString id = h.txt2img(kAlice, {{"steps", 150}}).json().value("job_id").toString();
        QTRY_COMPARE_WITH_TIMEOUT(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                                  QString("started"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(h.sim().state().value("busy").toBool(), 20000);
        ::kill(static_cast<pid_t>(h.nav().process().pid()), SIGTERM);
        QVERIFY(h.nav().process().waitForExit(30000));
        QCOMPARE(h.nav().process().exitCode(), 0);
        QCOMPARE(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                 QString("queued"));
        QCOMPARE(scalar(h.db(), "SELECT attempts FROM jobs WHERE job_id = ?", {id}).toInt(), 0);

        // Two such restarts in a row still do not fail it (no INTERRUPTED_BY_RESTART).
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        QTRY_COMPARE_WITH_TIMEOUT(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                                  QString("started"), 20000);
        ::kill(static_cast<pid_t>(h.nav().process().pid()), SIGTERM);
        QVERIFY(h.nav().process().waitForExit(30000));
        QCOMPARE(h.nav().process().exitCode(), 0);
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        QCOMPARE(h.waitForFinal(kAlice, id, 60000).value("status").toString(), QString("finished"));
        QCOMPARE(scalar(h.db(), "SELECT attempts FROM jobs WHERE job_id = ?", {id}).toInt(), 1);
    }

    void secondSignalExitsAtOnce() {
        PipelineHarness h({"--step-ms", "50"}, {{"SHUTDOWN_GRACE", "5m"}});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString id = h.txt2img(kAlice, {{"steps", 150}}).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(h.sim().state().value("busy").toBool(), 20000);
        const auto pid = static_cast<pid_t>(h.nav().process().pid());
        ::kill(pid, SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(h.nav().process().output().contains("shutting down gracefully"), 10000);
        ::kill(pid, SIGINT);
        QVERIFY(h.nav().process().waitForExit(10000));
        QCOMPARE(h.nav().process().exitCode(), 128 + SIGINT);
        // As after a crash: the job resumes at the next start.
        QVERIFY2(h.nav().start(), h.nav().process().output().constData());
        QCOMPARE(h.waitForFinal(kAlice, id, 60000).value("status").toString(), QString("finished"));
    }

    // die() used to call std::exit while the database pool threads ran (1 start in 30 crashed with SIGSEGV).
    void portTakenAlwaysExitsFour() {
        TestDatabase db;
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        for (int i = 0; i < 10; ++i) {
            NavigatorInstance nav(
                db, {{"HTTP_API_PORT", QString::number(taken.serverPort())}, {"BIND_ADDRESS", "127.0.0.1"}});
            QVERIFY(!nav.start(20000)); // the port is taken: navigator ends by itself
            nav.process().waitForExit(20000);
            QVERIFY(!nav.process().running());
            QCOMPARE(nav.process().exitCode(), 4);
        }
    }
};

QTEST_GUILESS_MAIN(PipelineShutdownTest)
#include "tst_pipeline_shutdown.moc"
