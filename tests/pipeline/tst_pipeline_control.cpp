// Interrupting jobs (running, queued, unknown, another user's), Forge failures (500s, dropped connections, a
// backend that is down and then back) failing only the job concerned, and the legacy bot endpoints when
// ALLOW_LEGACY_BOT_ENDPOINTS=true.
#include "tests/pipeline/PipelineHarness.h"

#include <QJsonArray>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kBob = QStringLiteral("222222222222222222");
} // namespace

class PipelineControlTest : public QObject {
    Q_OBJECT

    std::unique_ptr<PipelineHarness> m_h;

    QString submit(const QString &user, const QJsonObject &fields = {}) {
        const HttpReply reply = m_h->txt2img(user, fields);
        if (reply.status != 200)
            qWarning() << "submit failed" << reply.status << reply.body;
        return reply.json().value("job_id").toString();
    }
    // A job that keeps the backend busy until interrupted (150 steps at 40 ms).
    QString submitBlocker(const QString &user) {
        const QString id = submit(user, {{"steps", 150}});
        m_h->waitForStatus(user, id, {"started", "processing"});
        return id;
    }

private slots:
    void initTestCase() {
        m_h = std::make_unique<PipelineHarness>(QStringList{"--step-ms", "40"});
        const QString error = m_h->start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void cleanupTestCase() { m_h.reset(); }

    void interruptRunning() {
        const QString id = submitBlocker(kAlice);
        QCOMPARE(m_h->job(kAlice, id).value("status").toString().isEmpty(), false);
        QCOMPARE(m_h->as(kBob, "POST", "/api/queue/interrupt/" + id).status, 403);

        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/interrupt/" + id);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("status").toString(), QString("interrupted"));
        const QJsonObject state = m_h->waitForFinal(kAlice, id);
        QVERIFY2(state.value("status").toString() != "failed" || state.contains("error"),
                 QJsonDocument(state).toJson().constData());
        // Forge stopped it early (the simulator logs the outcome of each generation).
        QTRY_COMPARE_WITH_TIMEOUT(m_h->sim().requestFor(id).value("outcome").toString(),
                                  QString("interrupted"), 15000);
        // Forge returned a partial image: it is kept.
        if (state.value("status").toString() != "failed")
            QCOMPARE(http("GET", m_h->nav().url("/api/images/" + id)).status, 200);
    }

    void removeQueued() {
        const QString blocker = submitBlocker(kAlice);
        const QString first = submit(kAlice);
        const QString second = submit(kAlice);
        const QString third = submit(kAlice);
        QCOMPARE(m_h->job(kAlice, second).value("status").toString(), QString("queued"));
        QCOMPARE(m_h->as(kBob, "POST", "/api/queue/interrupt/" + second).status, 403);

        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/interrupt/" + second);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("status").toString(), QString("removed"));
        // Exactly that job's rows are gone; its neighbours stay queued.
        QCOMPARE(scalar(m_h->db(), "SELECT COUNT(*) FROM jobs WHERE job_id = ?", {second}).toInt(), 0);
        QCOMPARE(scalar(m_h->db(), "SELECT COUNT(*) FROM images WHERE id = ?", {second}).toInt(), 0);
        QCOMPARE(m_h->job(kAlice, first).value("status").toString(), QString("queued"));
        QCOMPARE(m_h->job(kAlice, third).value("status").toString(), QString("queued"));
        QCOMPARE(m_h->as(kAlice, "GET", "/api/queue/jobs/" + second).status, 404);
        // Removing it again: unknown.
        QCOMPARE(m_h->as(kAlice, "POST", "/api/queue/interrupt/" + second).status, 404);

        QCOMPARE(m_h->as(kAlice, "POST", "/api/queue/interrupt/" + blocker).status, 200);
        QCOMPARE(m_h->waitForFinal(kAlice, first).value("status").toString(), QString("finished"));
        QCOMPARE(m_h->waitForFinal(kAlice, third).value("status").toString(), QString("finished"));
        QVERIFY(m_h->sim().requestFor(second).isEmpty());
    }

    void interruptUnknown() {
        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/interrupt/deadbeef");
        QCOMPARE(reply.status, 404);
        QVERIFY(reply.json().contains("error"));
        const HttpReply anonymous = http("POST", m_h->nav().url("/api/queue/interrupt/deadbeef"));
        QCOMPARE(anonymous.status, 401);
    }

    void forge500FailsOnlyThatJob() {
        QVERIFY(m_h->sim().faults({{"fail_next", 1}, {"fail_status", 500}}));
        const QString failing = submit(kAlice);
        const QString next = submit(kAlice);
        const QJsonObject state = m_h->waitForFinal(kAlice, failing);
        QCOMPARE(state.value("status").toString(), QString("failed"));
        QVERIFY2(state.value("error").toObject().value("code").toString().contains("500"),
                 QJsonDocument(state).toJson().constData());
        QCOMPARE(http("GET", m_h->nav().url("/api/images/" + failing)).status, 404);
        QCOMPARE(m_h->waitForFinal(kAlice, next).value("status").toString(), QString("finished"));
    }

    void droppedConnectionFailsOnlyThatJob() {
        // Forge closes the connection without answering (and finishes the job anyway). The job ends, and the
        // queue goes on (tst_pipeline_backends checks that Forge ran it only once).
        QVERIFY(m_h->sim().faults({{"drop_next", 1}}));
        const QString dropped = submit(kAlice);
        const QString next = submit(kAlice);
        const QJsonObject state = m_h->waitForFinal(kAlice, dropped);
        const QJsonObject nextState = m_h->waitForFinal(kAlice, next);
        QVERIFY2(state.value("status").toString() == "finished" ||
                     !state.value("error").toObject().value("code").toString().isEmpty(),
                 QJsonDocument(state).toJson().constData());
        QCOMPARE(nextState.value("status").toString(), QString("finished"));
        QVERIFY(m_h->sim().requests().last().toObject().value("outcome").toString() == "ok");
    }

    void backendDownThenBack() {
        // A job submitted while Forge is down waits in the queue instead of failing, and runs once Forge is
        // back (the refused connection costs no attempt).
        m_h->sim().kill();
        const QString whileDown = submit(kAlice);
        QTest::qWait(1000);
        QCOMPARE(m_h->job(kAlice, whileDown).value("status").toString(), QString("queued"));
        QVERIFY(m_h->sim().start());
        const QJsonObject state = m_h->waitForFinal(kAlice, whileDown);
        QVERIFY2(state.value("status").toString() == "finished",
                 m_h->nav().process().output().right(3000).constData());
        QCOMPARE(scalar(m_h->db(), "SELECT attempts FROM jobs WHERE job_id = ?", {whileDown}).toInt(), 1);
    }

    void refusedConnectionCostsNoAttempt() {
        // A Forge restart: open connections drop and new ones are refused for a moment. The job waits until
        // Forge answers again and then runs, with one attempt.
        QVERIFY(m_h->sim().faults({{"restart", true}, {"restart_ms", 300}}));
        const QString id = submit(kAlice);
        const QJsonObject state = m_h->waitForFinal(kAlice, id);
        QCOMPARE(state.value("status").toString(), QString("finished"));
        QCOMPARE(scalar(m_h->db(), "SELECT attempts FROM jobs WHERE job_id = ?", {id}).toInt(), 1);
    }

    void legacyEndpointsWhenAllowed() {
        PipelineHarness legacy({"--step-ms", "5"}, {{"ALLOW_LEGACY_BOT_ENDPOINTS", "true"}});
        const QString error = legacy.start({});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const HttpReply missingOwner = httpJson("POST", legacy.nav().url("/api/queue/txt2img"),
                                                {{"model_name", kModelA}, {"prompt", "x"}});
        QCOMPARE(missingOwner.status, 400);
        QCOMPARE(missingOwner.json().value("error").toString(), QString("Missing authentication data"));

        const HttpReply reply = httpJson(
            "POST", legacy.nav().url("/api/queue/txt2img"),
            {{"model_name", kModelA}, {"prompt", "bot job"}, {"owner_id", "bot-user"}, {"steps", 3}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("owner_id").toString(), QString("bot-user"));
        QCOMPARE(reply.json().value("status").toString(), QString("queued"));
        const QString id = reply.json().value("job_id").toString();
        QTRY_COMPARE_WITH_TIMEOUT(http("GET", legacy.nav().url("/api/images/" + id)).status, 200, 30000);
        QCOMPARE(scalar(legacy.db(), "SELECT owner_id FROM images WHERE id = ?", {id}).toString(),
                 QString("bot-user"));
    }
};

QTEST_GUILESS_MAIN(PipelineControlTest)
#include "tst_pipeline_control.moc"
