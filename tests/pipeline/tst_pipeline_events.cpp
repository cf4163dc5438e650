// The job events as the npm socket.io-client (Compass's) receives them: the sequence task-started,
// model-changed, task-progress..., task-finished with img_path and the real seed; task-interrupted before the
// final event; task-failed with the message in `error` and error_code; no submitter IP in any payload;
// another user's authenticated socket sees none of it.
#include "tests/pipeline/PipelineHarness.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kBob = QStringLiteral("222222222222222222");

struct Event {
    QString name;
    QJsonObject payload;
};

QString nodeListener() {
    return QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs");
}

bool clientInstalled() {
    return QFile::exists(QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat/node_modules/socket.io-client"));
}

QList<Event> eventsOf(const ChildProcess &listener, const QString &jobId = {}) {
    QList<Event> events;
    for (const QByteArray &line : listener.output().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.isEmpty())
            continue;
        const QJsonObject payload = object.value("payload").toObject();
        if (jobId.isEmpty() || payload.value("job_id").toString() == jobId)
            events.append({object.value("event").toString(), payload});
    }
    return events;
}

QStringList namesOf(const QList<Event> &events) {
    QStringList names;
    for (const Event &event : events)
        if (names.isEmpty() || names.last() != event.name || event.name != "task-progress")
            names << event.name; // consecutive task-progress events count once
    return names;
}

bool hasEvent(const ChildProcess &listener, const QString &jobId, const QString &name) {
    for (const Event &event : eventsOf(listener, jobId))
        if (event.name == name)
            return true;
    return false;
}
} // namespace

class PipelineEventsTest : public QObject {
    Q_OBJECT

    std::unique_ptr<PipelineHarness> m_h;
    ChildProcess m_anonymous; // no auth: gets the events of jobs submitted from its address (127.0.0.1)
    ChildProcess m_bob;       // authenticated as Bob: gets only Bob's

    bool listen(ChildProcess &listener, const QByteArray &token = {}) {
        QStringList args{nodeListener(), m_h->nav().rtUrl().toString()};
        if (!token.isEmpty())
            args << QString::fromLatin1(token.mid(token.indexOf(' ') + 1));
        if (!listener.start(QStringLiteral("node"), args))
            return false;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000 && listener.running()) {
            if (listener.output().contains("READY"))
                return true;
            QTest::qWait(50);
        }
        return false;
    }

private slots:
    void initTestCase() {
        NAV_REQUIRE_DEPENDENCY(clientInstalled(),
                               "socket.io-client is not installed: run `npm ci --prefix tests/compat`");
        m_h = std::make_unique<PipelineHarness>(QStringList{"--step-ms", "30", "--preview-every", "2"});
        const QString error = m_h->start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(listen(m_anonymous), m_anonymous.output().constData());
        QVERIFY2(listen(m_bob, m_h->token(kBob)), m_bob.output().constData());
    }
    void cleanupTestCase() {
        m_anonymous.kill();
        m_bob.kill();
        m_h.reset();
    }

    void finishedSequence() {
        // kModelA first, so that the job on kModelB below is a model change whatever ran before.
        const QString before =
            m_h->txt2img(kAlice, {{"model_name", kModelA}, {"steps", 3}}).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_anonymous, before, "task-finished"), 30000);
        const HttpReply reply = m_h->txt2img(kAlice, {{"model_name", kModelB}, {"steps", 20}});
        QCOMPARE(reply.status, 200);
        const QString id = reply.json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_anonymous, id, "task-finished"), 30000);

        const QList<Event> events = eventsOf(m_anonymous, id);
        QStringList names = namesOf(events);
        names.removeAll("task-queued"); // optional extra before the start
        QCOMPARE(names, (QStringList{"task-started", "model-changed", "task-progress", "task-finished"}));

        for (const Event &event : events) {
            QCOMPARE(event.payload.value("job_id").toString(), id);
            QVERIFY2(!event.payload.contains("origin"), qPrintable(event.name));
            QVERIFY(!QJsonDocument(event.payload).toJson().contains("127.0.0.1"));
        }
        const Event &started = events.first().name == "task-started" ? events.first() : events.at(1);
        QCOMPARE(started.payload.value("status").toString(), QString("started"));
        QCOMPARE(started.payload.value("owner_id").toString(), kAlice);
        QCOMPARE(started.payload.value("model_name").toString(), kModelB);
        QCOMPARE(started.payload.value("task_type").toString(), QString("txt2img"));

        for (const Event &event : events) {
            if (event.name == "model-changed")
                QCOMPARE(event.payload.value("model_name").toString(), kModelB);
            if (event.name != "task-progress")
                continue;
            QCOMPARE(event.payload.value("status").toString(), QString("processing"));
            QVERIFY(event.payload.value("progress").isDouble());
            QVERIFY(event.payload.value("eta_relative").isDouble());
            QVERIFY(event.payload.value("current_step").toInt() >= 0);
            QCOMPARE(event.payload.value("total_steps").toInt(), 20);
            QVERIFY(event.payload.value("current_step").toInt() < 20); // Forge's 0-based step counter
            if (event.payload.contains("progress_path")) // only once a preview exists (tst_pipeline_forge)
                QCOMPARE(event.payload.value("progress_path").toString(), "/api/previews/" + id);
        }
        const QJsonObject finished = events.last().payload;
        QCOMPARE(finished.value("status").toString(), QString("finished"));
        QCOMPARE(finished.value("img_path").toString(), "/api/images/" + id);
        // The real seed Forge used, not -1.
        const QString info =
            http("GET", m_h->nav().url("/api/images/" + id + "/info")).json().value("info").toString();
        QVERIFY(finished.value("seed").toDouble() >= 0);
        QVERIFY2(
            info.contains(QStringLiteral("Seed: %1,").arg(finished.value("seed").toVariant().toLongLong())),
            qPrintable(info));

        // Bob's socket saw nothing of Alice's job.
        QVERIFY(eventsOf(m_bob, id).isEmpty());
    }

    void sameModelIsNoModelChange() {
        // The first job loads kModelB (whatever ran before); the second finds it loaded.
        const QString first =
            m_h->txt2img(kAlice, {{"model_name", kModelB}, {"steps", 3}}).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_anonymous, first, "task-finished"), 30000);
        const QString id =
            m_h->txt2img(kAlice, {{"model_name", kModelB}, {"steps", 3}}).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_anonymous, id, "task-finished"), 30000);
        QVERIFY(!namesOf(eventsOf(m_anonymous, id)).contains("model-changed"));
    }

    void interruptedSequence() {
        const QString id = m_h->txt2img(kAlice, {{"steps", 150}}).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_anonymous, id, "task-progress"), 30000);
        QCOMPARE(m_h->as(kAlice, "POST", "/api/queue/interrupt/" + id).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(
            hasEvent(m_anonymous, id, "task-finished") || hasEvent(m_anonymous, id, "task-failed"), 30000);
        QStringList names = namesOf(eventsOf(m_anonymous, id));
        const int interrupted = names.indexOf("task-interrupted");
        QVERIFY2(interrupted > 0, qPrintable(names.join(',')));
        QVERIFY(interrupted < names.size() - 1);
        QVERIFY(names.last() == "task-finished" || names.last() == "task-failed");
    }

    void failedEvent() {
        QVERIFY(m_h->sim().faults({{"fail_next", 1}, {"fail_status", 500}}));
        const QString id = m_h->txt2img(kAlice).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_anonymous, id, "task-failed"), 30000);
        const QList<Event> events = eventsOf(m_anonymous, id);
        QCOMPARE(events.last().name, QString("task-failed"));
        const QJsonObject failed = events.last().payload;
        QVERIFY2(failed.value("error").isString(), QJsonDocument(failed).toJson().constData());
        QCOMPARE(failed.value("error_code").toString(), QString("HTTP_500"));
        QVERIFY(failed.value("retryable").isBool());
        QCOMPARE(events.last().payload.value("status").toString(), QString("failed"));
        QVERIFY(!namesOf(events).contains("task-finished"));
    }

    void bobSeesHisOwnJobs() {
        const QString id = m_h->txt2img(kBob, {{"steps", 3}}).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(m_bob, id, "task-finished"), 30000);
    }
};

QTEST_GUILESS_MAIN(PipelineEventsTest)
#include "tst_pipeline_events.moc"
