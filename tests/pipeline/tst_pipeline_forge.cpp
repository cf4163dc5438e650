// What users meet on a real Forge, against forge-sim configured like one: hires upscalers chosen from the
// upscalers Forge lists, an unknown checkpoint refused, progress for a job shorter than the poll interval,
// previews linked only once they exist, event figures as Forge reported them, task-failed.error as a string,
// and upscales on a stock Forge (`forge-sim --unpatched`) falling back to a plain hires run.
#include "server/auth/JwtCodec.h"
#include "tests/pipeline/PipelineHarness.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kAdmin = QStringLiteral("333333333333333333");
// A Forge that has RealESRGAN_x4 but neither 4x_NMKD-Siax_200k nor R-ESRGAN 4x+.
const QString kUpscalers = QStringLiteral("None,Lanczos,Nearest,RealESRGAN_x4,SwinIR 4x");

struct Event {
    QString name;
    QJsonObject payload;
};

bool clientInstalled() {
    return QFile::exists(QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat/node_modules/socket.io-client"));
}

QList<Event> eventsOf(const ChildProcess &listener, const QString &jobId, const QString &name = {}) {
    QList<Event> events;
    for (const QByteArray &line : listener.output().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        const QJsonObject payload = object.value("payload").toObject();
        if (payload.value("job_id").toString() == jobId &&
            (name.isEmpty() || object.value("event").toString() == name))
            events.append({object.value("event").toString(), payload});
    }
    return events;
}

// The generation requests forge-sim received for one navigator job, oldest first.
QList<QJsonObject> forgeRequestsFor(ForgeSim &sim, const QString &jobId) {
    QList<QJsonObject> found;
    for (const QJsonValue &entry : sim.requests()) {
        const QJsonObject object = entry.toObject();
        if (object.value("body").toObject().value("force_task_id").toString() == "navigator-" + jobId)
            found.append(object);
    }
    return found;
}

QSize pngSize(const QByteArray &png) {
    if (png.size() < 24 || !png.startsWith("\x89PNG"))
        return {};
    const auto be32 = [&](int at) {
        return (quint8(png[at]) << 24) | (quint8(png[at + 1]) << 16) | (quint8(png[at + 2]) << 8) |
               quint8(png[at + 3]);
    };
    return QSize(int(be32(16)), int(be32(20)));
}
} // namespace

class PipelineForgeTest : public QObject {
    Q_OBJECT

    std::unique_ptr<PipelineHarness> m_h; // a patched Forge with kUpscalers
    ChildProcess m_listener;

    bool listen(ChildProcess &listener, PipelineHarness &h) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("NAVIGATOR_PREVIEW_BASE", h.nav().url(QString()).toString());
        if (!listener.start(QStringLiteral("node"),
                            {QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs"),
                             h.nav().rtUrl().toString()},
                            env))
            return false;
        return QTest::qWaitFor([&] { return listener.output().contains("READY") || !listener.running(); },
                               20000) &&
               listener.output().contains("READY");
    }

    // task-progress figures as the original passes them from /sdapi/v1/progress: for one plain job
    // progress = 0.01 + sampling_step / sampling_steps, current_step = sampling_step (0-based).
    static void checkFiguresAreForges(const QJsonObject &p, int steps) {
        const QByteArray text = QJsonDocument(p).toJson(QJsonDocument::Compact);
        QCOMPARE(p.value("total_steps").toInt(), steps);
        const int step = p.value("current_step").toInt();
        QVERIFY2(step >= 0 && step < steps, text.constData());
        QVERIFY2(qAbs(p.value("progress").toDouble() - (0.01 + double(step) / steps)) < 1e-9,
                 text.constData());
        QVERIFY2(p.value("eta_relative").isDouble(), text.constData());
    }

    static QJsonObject adminBackend(PipelineHarness &h) {
        const QByteArray token =
            "Bearer " + nav::auth::JwtCodec(h.nav().secretKey().toUtf8()).sign(kAdmin, 3, 600'000).toUtf8();
        const HttpReply reply = call(h.nav(), "GET", "/api/admin/status", token);
        if (reply.status != 200)
            qWarning() << "admin status:" << reply.status << reply.body;
        return reply.json().value("backends").toArray().first().toObject();
    }

    QString finishedJob(PipelineHarness &h, const QJsonObject &fields) {
        const HttpReply reply = h.txt2img(kAlice, fields);
        if (reply.status != 200) {
            qWarning() << "submit:" << reply.status << reply.body;
            return {};
        }
        const QString id = reply.json().value("job_id").toString();
        const QJsonObject state = h.waitForFinal(kAlice, id);
        if (state.value("status").toString() != "finished") {
            qWarning() << "job" << id << "ended as" << state;
            return {};
        }
        return id;
    }

private slots:
    void initTestCase() {
        if (!clientInstalled())
            QSKIP("socket.io-client is not installed: run `npm ci --prefix tests/compat`");
        // 40 ms steps and a 3 s poll interval: a 20-step job (800 ms) ends long before the first regular
        // poll.
        m_h = std::make_unique<PipelineHarness>(
            QStringList{"--step-ms", "40", "--preview-every", "5", "--upscalers", kUpscalers},
            QHash<QString, QString>{{"JOB_PROGRESS_CHECK_INTERVAL", "3000"}});
        const QString error = m_h->start({kAlice, kAdmin});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(seed(m_h->db(), "UPDATE users SET role = 3 WHERE id = ?", {kAdmin.toLongLong()}));
        QVERIFY2(listen(m_listener, *m_h), m_listener.output().constData());
    }
    void cleanupTestCase() {
        m_listener.kill();
        m_h.reset();
    }

    // Forge has no R-ESRGAN 4x+ here: without a name, and for a name it lacks, RealESRGAN_x4 goes out.
    void upscalerFromForgesList() {
        const QString unnamed = finishedJob(*m_h, {{"force_hr_fix", true}, {"steps", 2}});
        QVERIFY(!unnamed.isEmpty());
        QCOMPARE(m_h->sim().requestFor(unnamed).value("body").toObject().value("hr_upscaler").toString(),
                 QString("RealESRGAN_x4"));
        const QString unknown =
            finishedJob(*m_h, {{"force_hr_fix", true}, {"steps", 2}, {"upscaler_name", "R-ESRGAN 4x+"}});
        QVERIFY(!unknown.isEmpty());
        QCOMPARE(m_h->sim().requestFor(unknown).value("body").toObject().value("hr_upscaler").toString(),
                 QString("RealESRGAN_x4"));
        const QString listed =
            finishedJob(*m_h, {{"force_hr_fix", true}, {"steps", 2}, {"upscaler_name", "SwinIR 4x"}});
        QVERIFY(!listed.isEmpty());
        QCOMPARE(m_h->sim().requestFor(listed).value("body").toObject().value("hr_upscaler").toString(),
                 QString("SwinIR 4x"));
    }

    void unknownModelIsRefused() {
        const HttpReply reply = m_h->txt2img(kAlice, {{"model_name", "no_such_checkpoint_v9"}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error_code").toString(), QString("UNKNOWN_MODEL"));
        QVERIFY2(reply.json().value("error").toString().contains("model_name"), reply.body.constData());
        QVERIFY2(!reply.body.contains(kModelB.toUtf8()), reply.body.constData()); // lists nothing
        // Every name /api/models shows for a checkpoint is accepted: model_name, title and hash.
        const HttpReply listed = m_h->as(kAlice, "GET", "/api/models");
        const QJsonArray models = listed.json().value("models").toArray();
        QVERIFY2(!models.isEmpty(), listed.body.constData());
        const QJsonObject first = models.first().toObject();
        for (const char *key : {"model_name", "title", "hash"}) {
            const HttpReply ok = m_h->txt2img(
                kAlice, {{"model_name", first.value(QLatin1String(key)).toString()}, {"steps", 1}});
            QVERIFY2(ok.status == 200, ok.body.constData());
            m_h->waitForFinal(kAlice, ok.json().value("job_id").toString());
        }
    }

    // An 800 ms job shows progress; every preview URL answers 200 at once; the figures are Forge's own.
    void shortJobShowsProgressWithLivePreviews() {
        const QString id = finishedJob(*m_h, {{"steps", 20}});
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(m_listener, id, "task-finished").isEmpty(), 10000);
        const QList<Event> progress = eventsOf(m_listener, id, "task-progress");
        QVERIFY2(!progress.isEmpty(), m_listener.output().right(2000).constData());
        int linked = 0;
        for (const Event &event : progress) {
            checkFiguresAreForges(event.payload, 20);
            if (event.payload.contains("progress_path")) {
                QCOMPARE(event.payload.value("progress_path").toString(), "/api/previews/" + id);
                ++linked;
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(eventsOf(m_listener, id, "preview-fetched").size(), linked, 10000);
        for (const Event &fetched : eventsOf(m_listener, id, "preview-fetched"))
            QCOMPARE(fetched.payload.value("status").toInt(), 200);
    }

    // Before Forge's first preview, no event points at one.
    void noPreviewLinkBeforeThereIsOne() {
        const auto previewEvery = [&](int steps) {
            return httpJson("POST", m_h->sim().url("/sdapi/v1/options"),
                            QJsonObject{{"show_progress_every_n_steps", steps}})
                       .status == 200;
        };
        QVERIFY(previewEvery(1000)); // no preview in this job
        // 80 steps (3.2 s): polled at about 200 ms and again at 3 s.
        const QString id = finishedJob(*m_h, {{"steps", 80}});
        QVERIFY(previewEvery(5));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(m_listener, id, "task-finished").isEmpty(), 10000);
        const QList<Event> progress = eventsOf(m_listener, id, "task-progress");
        QVERIFY2(!progress.isEmpty(), m_listener.output().right(2000).constData());
        for (const Event &event : progress) {
            QVERIFY2(!event.payload.contains("progress_path"),
                     QJsonDocument(event.payload).toJson().constData());
            checkFiguresAreForges(event.payload, 80);
        }
        QCOMPARE(http("GET", m_h->nav().url("/api/previews/" + id)).status, 404);
    }

    void taskFailedErrorIsAString() {
        QVERIFY(m_h->sim().faults({{"fail_next", 1}, {"fail_status", 500}}));
        const QString id = m_h->txt2img(kAlice).json().value("job_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(m_listener, id, "task-failed").isEmpty(), 30000);
        const QJsonObject failed = eventsOf(m_listener, id, "task-failed").last().payload;
        QVERIFY2(failed.value("error").isString(), QJsonDocument(failed).toJson().constData());
        QVERIFY2(failed.value("error").toString().contains("injected failure"),
                 QJsonDocument(failed).toJson().constData());
        QCOMPARE(failed.value("error_code").toString(), QString("HTTP_500"));
        QCOMPARE(failed.value("backend").toString(), m_h->sim().sdApiHost());
        QCOMPARE(failed.value("retryable").toBool(true), false);
        QCOMPARE(failed.value("status").toString(), QString("failed"));
    }

    // On a patched Forge the upscale starts from the stored image, and the admin status says so.
    void upscaleOnPatchedForge() {
        QCOMPARE(adminBackend(*m_h).value("firstpass_patch").toString(), QString("unknown"));
        const QString source = finishedJob(*m_h, {{"steps", 3}, {"width", 256}, {"height", 256}});
        QVERIFY(!source.isEmpty());
        const HttpReply reply =
            m_h->as(kAlice, "POST", "/api/queue/user/txt2img/upscale-hrf/" + source, QJsonObject{});
        QCOMPARE(reply.status, 200);
        const QString id = reply.json().value("job_id").toString();
        QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        const QList<QJsonObject> sent = forgeRequestsFor(m_h->sim(), id);
        QCOMPARE(sent.size(), 1);
        QVERIFY(sent.first().value("body").toObject().contains("firstpass_image"));
        QCOMPARE(sent.first().value("body").toObject().value("hr_upscaler").toString(),
                 QString("RealESRGAN_x4"));
        QCOMPARE(adminBackend(*m_h).value("firstpass_patch").toString(), QString("patched"));
    }

    // Stock Forge answers firstpass_image with 500: the job runs again as a plain hires run from the stored
    // parameters and seed, and later upscales go there directly.
    void upscaleOnStockForgeFallsBack() {
        PipelineHarness stock(QStringList{"--step-ms", "10", "--unpatched"});
        const QString error = stock.start({kAlice, kAdmin});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(seed(stock.db(), "UPDATE users SET role = 3 WHERE id = ?", {kAdmin.toLongLong()}));
        const QString source =
            finishedJob(stock, {{"steps", 3}, {"width", 256}, {"height", 256}, {"seed", 4242}});
        QVERIFY(!source.isEmpty());
        QCOMPARE(adminBackend(stock).value("firstpass_patch").toString(), QString("unknown"));

        const auto upscale = [&] {
            const HttpReply reply =
                stock.as(kAlice, "POST", "/api/queue/user/txt2img/upscale-hrf/" + source, QJsonObject{});
            return reply.status == 200 ? reply.json().value("job_id").toString() : QString();
        };
        const QString first = upscale();
        QVERIFY(!first.isEmpty());
        QCOMPARE(stock.waitForFinal(kAlice, first).value("status").toString(), QString("finished"));
        const QList<QJsonObject> sent = forgeRequestsFor(stock.sim(), first);
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sent.at(0).value("outcome").toString(), QString("failed"));
        QVERIFY(sent.at(0).value("body").toObject().contains("firstpass_image"));
        const QJsonObject plain = sent.at(1).value("body").toObject();
        QVERIFY(!plain.contains("firstpass_image"));
        QCOMPARE(plain.value("enable_hr").toBool(), true);
        QCOMPARE(plain.value("seed").toVariant().toLongLong(), 4242);
        QCOMPARE(plain.value("width").toVariant().toInt(), 256);
        QCOMPARE(plain.value("hr_resize_x").toVariant().toInt(), 512);
        QCOMPARE(pngSize(http("GET", stock.nav().url("/api/images/" + first)).body), QSize(512, 512));
        QCOMPARE(adminBackend(stock).value("firstpass_patch").toString(), QString("unpatched"));

        const QString second = upscale();
        QVERIFY(!second.isEmpty());
        QCOMPARE(stock.waitForFinal(kAlice, second).value("status").toString(), QString("finished"));
        const QList<QJsonObject> direct = forgeRequestsFor(stock.sim(), second);
        QCOMPARE(direct.size(), 1);
        QVERIFY(!direct.first().value("body").toObject().contains("firstpass_image"));
    }
};

QTEST_GUILESS_MAIN(PipelineForgeTest)
#include "tst_pipeline_forge.moc"
