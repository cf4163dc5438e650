// The queue and image endpoints against the real navigator, forge-sim and a fresh database: the queued-job
// reply, every validation error, the Forge payload rules (asserted on the body forge-sim received), images
// with caching headers, png-info, previews, the queue listing and job state.
#include "tests/pipeline/PipelineHarness.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QtEndian>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kBob = QStringLiteral("222222222222222222");

bool isPng(const QByteArray &bytes) {
    return bytes.startsWith("\x89PNG\r\n\x1a\n");
}
} // namespace

class PipelineApiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<PipelineHarness> m_h;

    QString submitAndFinish(const QString &user, const QJsonObject &fields = {}) {
        const HttpReply reply = m_h->txt2img(user, fields);
        if (reply.status != 200) {
            qWarning() << "submit failed" << reply.status << reply.body;
            return {};
        }
        const QString id = reply.json().value("job_id").toString();
        const QJsonObject state = m_h->waitForFinal(user, id);
        if (state.value("status").toString() != QLatin1String("finished")) {
            qWarning() << "job did not finish" << state;
            return {};
        }
        return id;
    }
    // A finished 512x512 job of Alice's with seed 1234, made for the test that asks (no test relies on one
    // that ran before it).
    QString finishedJob() { return submitAndFinish(kAlice, {{"seed", 1234}}); }
    QJsonObject forgeBodyOf(const QString &jobId) {
        return m_h->sim().requestFor(jobId).value("body").toObject();
    }

private slots:
    void initTestCase() {
        m_h = std::make_unique<PipelineHarness>(QStringList{"--step-ms", "20"},
                                                QHash<QString, QString>{{"IMAGE_PIXEL_LIMIT", "4194304"}});
        const QString error = m_h->start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void cleanupTestCase() { m_h.reset(); }

    void txt2imgEndToEnd() {
        const HttpReply reply = m_h->txt2img(kAlice, {{"seed", 1234}});
        QCOMPARE(reply.status, 200);
        const QJsonObject job = reply.json();
        const QString id = job.value("job_id").toString();
        QVERIFY2(QRegularExpression("^[0-9a-f]{8}$").match(id).hasMatch(), qPrintable(id));
        QCOMPARE(job.value("status").toString(), QString("queued"));
        QCOMPARE(job.value("task_type").toString(), QString("txt2img"));
        QCOMPARE(job.value("owner_id").toString(), kAlice);
        QCOMPARE(job.value("model_name").toString(), kModelA);
        QCOMPARE(job.value("prompt").toString(), QString("a lighthouse at dusk"));
        QVERIFY(job.value("queue_size").isDouble());
        QVERIFY(job.value("queue_size").toInt() >= 1);
        QCOMPARE(job.value("width").toInt(), 512);
        QCOMPARE(job.value("height").toInt(), 512);
        QVERIFY(job.value("width").isDouble());
        QCOMPARE(job.value("steps").toInt(), 4);
        QCOMPARE(job.value("seed").toInt(), 1234);
        QVERIFY(!job.contains("origin"));

        const QJsonObject state = m_h->waitForFinal(kAlice, id);
        QCOMPARE(state.value("status").toString(), QString("finished"));

        const HttpReply image = http("GET", m_h->nav().url("/api/images/" + id));
        QCOMPARE(image.status, 200);
        QCOMPARE(image.header("content-type"), QByteArray("image/png"));
        QVERIFY(isPng(image.body));
    }

    void imageCachingHeaders() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const QUrl url = m_h->nav().url("/api/images/" + finished);
        const HttpReply first = http("GET", url);
        QCOMPARE(first.status, 200);
        const QByteArray etag = first.header("etag");
        QVERIFY2(etag.startsWith('"') && etag.endsWith('"'), etag.constData()); // strong, quoted
        QCOMPARE(first.header("cache-control"), QByteArray("public, max-age=31536000, immutable"));
        QCOMPARE(first.header("access-control-allow-origin"), QByteArray("*"));

        const HttpReply withSuffix = http("GET", m_h->nav().url("/api/images/" + finished + ".png"));
        QCOMPARE(withSuffix.status, 200);
        QCOMPARE(withSuffix.body, first.body);
        QCOMPARE(withSuffix.header("etag"), etag);

        const HttpReply head = http("HEAD", url);
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QCOMPARE(head.header("content-type"), QByteArray("image/png"));
        QCOMPARE(head.header("etag"), etag);

        const HttpReply notModified = http("GET", url, {}, {{"If-None-Match", etag}});
        QCOMPARE(notModified.status, 304);
        QVERIFY(notModified.body.isEmpty());
        const HttpReply otherTag = http("GET", url, {}, {{"If-None-Match", "\"something-else\""}});
        QCOMPARE(otherTag.status, 200);
    }

    // The image cache must not outlive the image: after a delete there is neither a 304 nor the old bytes.
    void deletedImageIsNotServedFromMemory() {
        const QString id = submitAndFinish(kAlice);
        QVERIFY(!id.isEmpty());
        const QUrl url = m_h->nav().url("/api/images/" + id);
        const HttpReply first = http("GET", url);
        QCOMPARE(first.status, 200);
        QVERIFY(isPng(first.body));
        const QByteArray etag = first.header("etag");
        QCOMPARE(http("GET", url, {}, {{"If-None-Match", etag}}).status, 304); // now served from memory
        QCOMPARE(m_h->as(kAlice, "DELETE", "/api/user/image/" + id).status, 204);
        QCOMPARE(http("GET", url, {}, {{"If-None-Match", etag}}).status, 404);
        const HttpReply after = http("GET", url);
        QCOMPARE(after.status, 404);
        QCOMPARE(after.json().value("error_code").toString(), QString("NOT_FOUND"));
    }

    void imageInfo() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const HttpReply reply = http("GET", m_h->nav().url("/api/images/" + finished + "/info"));
        QCOMPARE(reply.status, 200);
        const QJsonObject info = reply.json();
        QVERIFY(info.value("info").toString().contains("Size: 512x512"));
        const QJsonObject parameters = info.value("parameters").toObject();
        QCOMPARE(parameters.value("owner_id").toString(), kAlice);
        QCOMPARE(parameters.value("Prompt").toString(), QString("a lighthouse at dusk"));
        QCOMPARE(parameters.value("Seed").toString(), QString("1234"));
        // Cached at completion in images.info_data64.
        QVERIFY(!scalar(m_h->db(), "SELECT info_data64 FROM images WHERE id = ?", {finished})
                     .toString()
                     .isEmpty());
    }

    void imageInfoComputedWhenMissing() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        QVERIFY(seed(m_h->db(), "UPDATE images SET info_data64 = NULL WHERE id = ?", {finished}));
        const HttpReply reply = http("GET", m_h->nav().url("/api/images/" + finished + "/info"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("parameters").toObject().value("owner_id").toString(), kAlice);
        QTRY_VERIFY_WITH_TIMEOUT(!scalar(m_h->db(), "SELECT info_data64 FROM images WHERE id = ?", {finished})
                                      .toString()
                                      .isEmpty(),
                                 15000);
    }

    void unknownImagesAre404Json() {
        for (const QString &path :
             {QStringLiteral("/api/images/nosuchid"), QStringLiteral("/api/images/nosuchid/info"),
              QStringLiteral("/api/previews/nosuchid")}) {
            const HttpReply reply = http("GET", m_h->nav().url(path));
            QCOMPARE(reply.status, 404);
            QVERIFY2(reply.json().contains("error"), reply.body.constData());
        }
    }

    void unfinishedImageIs404AndPreviewAppears() {
        // A slow job: 60 steps at 5 ms, previews every few steps.
        const HttpReply reply = m_h->txt2img(kAlice, {{"steps", 150}});
        QCOMPARE(reply.status, 200);
        const QString id = reply.json().value("job_id").toString();
        const HttpReply early = http("GET", m_h->nav().url("/api/images/" + id));
        QCOMPARE(early.status, 404);
        QVERIFY(early.json().contains("error"));
        QTRY_VERIFY_WITH_TIMEOUT(http("GET", m_h->nav().url("/api/previews/" + id + "?step=3")).status ==
                                         200 ||
                                     m_h->job(kAlice, id).value("status").toString() == "finished",
                                 30000);
        QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        const HttpReply preview = http("GET", m_h->nav().url("/api/previews/" + id + "?step=99"));
        QCOMPARE(preview.status, 200);
        QCOMPARE(preview.header("content-type"), QByteArray("image/png"));
        QVERIFY(isPng(preview.body));
        // Persisted as the original does, in images.preview_data.
        QVERIFY(
            !scalar(m_h->db(), "SELECT preview_data FROM images WHERE id = ?", {id}).toString().isEmpty());
    }

    void missingParameters_data() {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("no model") << QJsonObject{{"prompt", "x"}}
                                  << "Missing required parameters: model_name";
        QTest::newRow("no prompt") << QJsonObject{{"model_name", kModelA}}
                                   << "Missing required parameters: prompt";
        QTest::newRow("empty") << QJsonObject{} << "Missing required parameters: model_name, prompt";
    }
    void missingParameters() {
        QFETCH(QJsonObject, body);
        QFETCH(QString, error);
        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/user/txt2img", body);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error").toString(), error);
        QCOMPARE(reply.json().value("error_code").toString(), QString("MISSING_PARAMETERS"));
    }

    void pixelLimit() {
        const HttpReply reply = m_h->txt2img(kAlice, {{"width", 4096}, {"height", 2048}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error").toString(),
                 QString("The total value of (Width * Height) must not exceed 4194304"));
    }

    void wrongTypeOrRangeNamesTheField_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("steps string") << "steps" << QJsonValue("many");
        QTest::newRow("steps zero") << "steps" << QJsonValue(0);
        QTest::newRow("steps fraction") << "steps" << QJsonValue(2.5);
        QTest::newRow("width negative") << "width" << QJsonValue(-8);
        QTest::newRow("height object") << "height" << QJsonValue(QJsonObject{});
        QTest::newRow("cfg_scale string") << "cfg_scale" << QJsonValue("high");
        QTest::newRow("seed string") << "seed" << QJsonValue("abc");
        QTest::newRow("denoising over 1") << "denoising_strength" << QJsonValue(1.5);
        QTest::newRow("prompt number") << "prompt" << QJsonValue(42);
        QTest::newRow("sampler number") << "sampler_name" << QJsonValue(3);
        QTest::newRow("modules not a list") << "modules" << QJsonValue("ae.safetensors");
        QTest::newRow("subseed_strength over 1") << "subseed_strength" << QJsonValue(2);
    }
    void wrongTypeOrRangeNamesTheField() {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        const HttpReply reply = m_h->txt2img(kAlice, {{field, value}});
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.json().value("error").toString().contains(field), reply.body.constData());
    }

    void invalidJsonIs400() {
        const HttpReply reply =
            http("POST", m_h->nav().url("/api/queue/user/txt2img"), "{not json",
                 {{"Content-Type", "application/json"}, {"Authorization", m_h->token(kAlice)}});
        QCOMPARE(reply.status, 400);
    }

    void needsAuthentication() {
        const HttpReply reply = httpJson("POST", m_h->nav().url("/api/queue/user/txt2img"),
                                         {{"model_name", kModelA}, {"prompt", "x"}});
        QCOMPARE(reply.status, 401);
    }

    void categoryOwnership() {
        const HttpReply created = m_h->as(kBob, "POST", "/api/user/category", {{"name", "bobs"}});
        QCOMPARE(created.status, 200);
        const qint64 bobsCategory = created.json().value("id").toInteger();
        const HttpReply foreign = m_h->txt2img(kAlice, {{"categoryId", bobsCategory}});
        QCOMPARE(foreign.status, 403);
        QCOMPARE(foreign.json().value("error").toString(),
                 QString("Category does not exist or you do not own it"));
        const HttpReply unknown = m_h->txt2img(kAlice, {{"categoryId", 987654}});
        QCOMPARE(unknown.status, 403);

        const HttpReply own = m_h->txt2img(kBob, {{"categoryId", bobsCategory}});
        QCOMPARE(own.status, 200);
        const QString id = own.json().value("job_id").toString();
        QCOMPARE(scalar(m_h->db(), "SELECT category_id FROM images WHERE id = ?", {id}).toLongLong(),
                 bobsCategory);
        m_h->waitForFinal(kBob, id);
    }

    void duplicateJobId() {
        const HttpReply first = m_h->txt2img(kAlice, {{"job_id", "dupe0001"}});
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value("job_id").toString(), QString("dupe0001"));
        const HttpReply second = m_h->txt2img(kAlice, {{"job_id", "dupe0001"}});
        QCOMPARE(second.status, 409);
        QVERIFY(second.json().contains("error"));
        const HttpReply other = m_h->txt2img(kBob, {{"job_id", "dupe0001"}});
        QCOMPARE(other.status, 409);
        QCOMPARE(m_h->waitForFinal(kAlice, "dupe0001").value("status").toString(), QString("finished"));
        QCOMPARE(scalar(m_h->db(), "SELECT owner_id FROM images WHERE id = ?", {"dupe0001"}).toString(),
                 kAlice);
    }

    void defaultPayload() {
        const QString id = submitAndFinish(kAlice, {{"negative_prompt", "blurry"}});
        QVERIFY(!id.isEmpty());
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(body.value("prompt").toString(), QString("a lighthouse at dusk"));
        QCOMPARE(body.value("negative_prompt").toString(), QString("blurry"));
        QCOMPARE(body.value("width").toInt(), 512);
        QCOMPARE(body.value("height").toInt(), 512);
        QCOMPARE(body.value("steps").toInt(), 4);
        QCOMPARE(body.value("seed").toInt(), -1);
        QCOMPARE(body.value("cfg_scale").toDouble(), 7.0);
        QCOMPARE(body.value("distilled_cfg_scale").toDouble(), 3.5);
        QCOMPARE(body.value("sampler_name").toString(), QString("DPM++ 2M"));
        QCOMPARE(body.value("scheduler").toString(), QString("automatic"));
        QCOMPARE(body.value("enable_hr").toBool(true), false);
        QCOMPARE(body.value("save_images").toBool(true), false);
        QCOMPARE(body.value("force_task_id").toString(), "navigator-" + id);
        QCOMPARE(body.value("override_settings_restore_afterwards").toBool(true), false);
        const QJsonObject overrides = body.value("override_settings").toObject();
        QCOMPARE(overrides.value("sd_model_checkpoint").toString(), kModelA);
        QVERIFY(overrides.value("forge_additional_modules").isArray());
        QVERIFY(!body.contains("alwayson_scripts"));
        QVERIFY(!body.contains("firstpass_image"));
    }

    void explicitFieldsReachForge() {
        const QString id =
            submitAndFinish(kAlice, {{"model_name", kModelB},
                                     {"width", 768},
                                     {"height", 640},
                                     {"steps", 6},
                                     {"seed", 77},
                                     {"cfg_scale", 4.5},
                                     {"distilled_cfg", 2.5},
                                     {"sampler_name", "Euler"},
                                     {"scheduler_name", "karras"},
                                     {"subseed", 99},
                                     {"subseed_strength", 0.3},
                                     {"modules", QJsonArray{"ae.safetensors", "clip_l.safetensors"}}});
        QVERIFY(!id.isEmpty());
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(body.value("width").toInt(), 768);
        QCOMPARE(body.value("height").toInt(), 640);
        QCOMPARE(body.value("steps").toInt(), 6);
        QCOMPARE(body.value("seed").toInt(), 77);
        QCOMPARE(body.value("cfg_scale").toDouble(), 4.5);
        QCOMPARE(body.value("distilled_cfg_scale").toDouble(), 2.5);
        QCOMPARE(body.value("sampler_name").toString(), QString("Euler"));
        QCOMPARE(body.value("scheduler").toString(), QString("karras"));
        QCOMPARE(body.value("subseed").toInt(), 99);
        QCOMPARE(body.value("subseed_strength").toDouble(), 0.3);
        const QJsonObject overrides = body.value("override_settings").toObject();
        QCOMPARE(overrides.value("sd_model_checkpoint").toString(), kModelB);
        QCOMPARE(overrides.value("forge_additional_modules").toArray(),
                 (QJsonArray{"ae.safetensors", "clip_l.safetensors"}));
    }

    void samplerAliasResolvesToName() {
        const QString id = submitAndFinish(kAlice, {{"sampler_name", "k_euler_a"}});
        QVERIFY(!id.isEmpty());
        QCOMPARE(forgeBodyOf(id).value("sampler_name").toString(), QString("Euler a"));
    }

    void forceHiresFix() {
        const QString id = submitAndFinish(
            kAlice,
            {{"force_hr_fix", true}, {"steps", 8}, {"hrf_steps", 5}, {"width", 512}, {"height", 384}});
        QVERIFY(!id.isEmpty());
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(body.value("enable_hr").toBool(), true);
        QCOMPARE(body.value("width").toInt(), 512);
        QCOMPARE(body.value("height").toInt(), 384);
        QCOMPARE(body.value("hr_resize_x").toInt(), 1024);
        QCOMPARE(body.value("hr_resize_y").toInt(), 768);
        QCOMPARE(body.value("hr_second_pass_steps").toInt(), 5);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.35);
        QVERIFY(!body.value("hr_upscaler").toString().isEmpty());
    }

    void forceHiresFixKeepsGivenDenoisingAndUpscaler() {
        const QString id = submitAndFinish(kAlice, {{"force_hr_fix", true},
                                                    {"denoising_strength", 0.5},
                                                    {"upscaler_name", "Lanczos"},
                                                    {"hrf_steps", 40}});
        QVERIFY(!id.isEmpty());
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.5);
        QCOMPARE(body.value("hr_upscaler").toString(), QString("Lanczos"));
        QCOMPARE(body.value("hr_second_pass_steps").toInt(), 4); // min(hrf_steps, steps)
    }

    void largeImagesUseHalfSizeAndHires() {
        const QString id = submitAndFinish(kAlice, {{"width", 1536}, {"height", 1280}, {"steps", 40}});
        QVERIFY(!id.isEmpty());
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(body.value("enable_hr").toBool(), true);
        QCOMPARE(body.value("width").toInt(), 768);
        QCOMPARE(body.value("height").toInt(), 640);
        QCOMPARE(body.value("hr_resize_x").toInt(), 1536);
        QCOMPARE(body.value("hr_resize_y").toInt(), 1280);
        QCOMPARE(body.value("hr_second_pass_steps").toInt(), 30);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.35);
    }

    void imageEnhancementsSendFreeUAndSag() {
        const QString id = submitAndFinish(kAlice, {{"image_enhancements", true}});
        QVERIFY(!id.isEmpty());
        const QJsonObject scripts = forgeBodyOf(id).value("alwayson_scripts").toObject();
        const QJsonArray freeu =
            scripts.value("FreeU Integrated (SD 1.x, SD 2.x, SDXL)").toObject().value("args").toArray();
        const QJsonArray sag = scripts.value("SelfAttentionGuidance Integrated (SD 1.x, SD 2.x, SDXL)")
                                   .toObject()
                                   .value("args")
                                   .toArray();
        QCOMPARE(freeu, (QJsonArray{true, 1.1, 1.2, 0.6, 0.4, 0, 1}));
        QCOMPARE(sag, (QJsonArray{true, 0.5, 2, 1}));
    }

    void img2imgSendsEveryFieldToItsPlace() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const QByteArray png = http("GET", m_h->nav().url("/api/images/" + finished)).body;
        QVERIFY(isPng(png));
        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/user/img2img",
                                        {{"model_name", kModelA},
                                         {"prompt", "repainted"},
                                         {"init_image", QString::fromLatin1(png.toBase64())},
                                         {"mask", QString::fromLatin1(png.toBase64())},
                                         {"scheduler_name", "karras"},
                                         {"steps", 7},
                                         {"cfg_scale", 5.5},
                                         {"width", 512},
                                         {"height", 448}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("task_type").toString(), QString("img2img"));
        const QString id = reply.json().value("job_id").toString();
        QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        // Its init image and mask leave job_inputs with the finished image's write (a txt2img job's skips
        // it).
        QCOMPARE(scalar(m_h->db(), "SELECT COUNT(*) FROM job_inputs WHERE job_id = ?", {id}).toInt(), 0);
        const QJsonObject entry = m_h->sim().requestFor(id);
        QCOMPARE(entry.value("kind").toString(), QString("img2img"));
        const QJsonObject body = entry.value("body").toObject();
        QCOMPARE(body.value("scheduler").toString(), QString("karras"));
        QCOMPARE(body.value("steps").toInt(), 7);
        QCOMPARE(body.value("cfg_scale").toDouble(), 5.5);
        QCOMPARE(body.value("width").toInt(), 512);
        QCOMPARE(body.value("height").toInt(), 448);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.75);
        QCOMPARE(body.value("init_images").toArray().size(), 1);
        QCOMPARE(QByteArray::fromBase64(body.value("init_images").toArray().first().toString().toLatin1()),
                 png);
        QVERIFY(!body.value("mask").toString().isEmpty());
        QCOMPARE(body.value("force_task_id").toString(), "navigator-" + id);
        QCOMPARE(body.value("override_settings").toObject().value("sd_model_checkpoint").toString(), kModelA);
        QVERIFY(isPng(http("GET", m_h->nav().url("/api/images/" + id)).body));
    }

    // Bodies over 256 KiB are parsed and checked on a worker thread: the same answers as inline.
    void bigBodiesGetTheSameChecksAndResults() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        QByteArray png = http("GET", m_h->nav().url("/api/images/" + finished)).body;
        QVERIFY(isPng(png));
        png += QByteArray(400 * 1024, '\0'); // after IEND: decoders stop there, the body gets big
        const QString init = QString::fromLatin1(png.toBase64());

        const HttpReply badField =
            m_h->as(kAlice, "POST", "/api/queue/user/img2img",
                    {{"model_name", kModelA}, {"prompt", "big"}, {"init_image", init}, {"steps", "many"}});
        QCOMPARE(badField.status, 400);
        QVERIFY2(badField.json().value("error").toString().contains("steps"), badField.body.constData());

        const HttpReply broken = http(
            "POST", m_h->nav().url("/api/queue/user/img2img"), "{\"init_image\": \"" + init.toLatin1() + "\"",
            {{"Authorization", m_h->token(kAlice)}, {"Content-Type", "application/json"}});
        QCOMPARE(broken.status, 400);
        QCOMPARE(broken.json().value("error_code").toString(), QString("INVALID_JSON"));

        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/user/img2img",
                                        {{"model_name", kModelA}, {"prompt", "big"}, {"init_image", init}});
        QCOMPARE(reply.status, 200);
        const QString id = reply.json().value("job_id").toString();
        QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        QCOMPARE(QByteArray::fromBase64(
                     forgeBodyOf(id).value("init_images").toArray().first().toString().toLatin1()),
                 png);

        // Forge's answer for a 1024x1024 image is over 256 KiB: it is parsed on a worker thread. forge-sim's
        // picture depends on the seed and some compress below 150 KiB: a fixed one keeps the size known
        // whatever ran before.
        const QString bigId = submitAndFinish(kAlice, {{"width", 1024}, {"height", 1024}, {"seed", 4}});
        QVERIFY(!bigId.isEmpty());
        const HttpReply big = http("GET", m_h->nav().url("/api/images/" + bigId));
        QCOMPARE(big.status, 200);
        QVERIFY(isPng(big.body));
        QVERIFY(big.body.size() > 150 * 1024);
        QCOMPARE(qFromBigEndian<quint32>(big.body.constData() + 16), 1024u); // IHDR width
    }

    void img2imgReusesAStoredImage() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const QByteArray png = http("GET", m_h->nav().url("/api/images/" + finished)).body;
        const HttpReply reply = m_h->as(kAlice, "POST", "/api/queue/user/img2img",
                                        {{"model_name", kModelA},
                                         {"prompt", "again"},
                                         {"init_image", "NAVIGATOR_" + finished},
                                         {"denoising_strength", 0.4},
                                         {"steps", 4}});
        QCOMPARE(reply.status, 200);
        const QString id = reply.json().value("job_id").toString();
        QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(QByteArray::fromBase64(body.value("init_images").toArray().first().toString().toLatin1()),
                 png);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.4);
        QVERIFY(!body.contains("mask"));
    }

    void img2imgRejectsForeignOrUnknownStoredImages() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const QJsonObject body{
            {"model_name", kModelA}, {"prompt", "x"}, {"init_image", "NAVIGATOR_" + finished}};
        const HttpReply foreign = m_h->as(kBob, "POST", "/api/queue/user/img2img", body);
        QVERIFY2(foreign.status == 403 || foreign.status == 404, foreign.body.constData());
        QJsonObject unknown = body;
        unknown.insert("init_image", "NAVIGATOR_nosuchid");
        QCOMPARE(m_h->as(kAlice, "POST", "/api/queue/user/img2img", unknown).status, 404);
        QJsonObject missing = body;
        missing.remove("init_image");
        QCOMPARE(m_h->as(kAlice, "POST", "/api/queue/user/img2img", missing).status, 400);
    }

    void upscaleHrf() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const QByteArray png = http("GET", m_h->nav().url("/api/images/" + finished)).body;
        const HttpReply reply =
            m_h->as(kAlice, "POST", "/api/queue/user/txt2img/upscale-hrf/" + finished,
                    {{"upscaler_name", "Lanczos"}, {"denoising_strength", 0.25}, {"hrf_steps", 3}});
        QCOMPARE(reply.status, 200);
        const QString id = reply.json().value("job_id").toString();
        QVERIFY(id != finished);
        QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QString("finished"));
        const QJsonObject body = forgeBodyOf(id);
        QCOMPARE(body.value("enable_hr").toBool(), true);
        QCOMPARE(body.value("prompt").toString(), QString("a lighthouse at dusk"));
        QCOMPARE(body.value("seed").toVariant().toLongLong(), 1234); // from the stored infotext
        QCOMPARE(body.value("width").toVariant().toInt(), 512);
        QCOMPARE(body.value("hr_resize_x").toVariant().toInt(), 1024);
        QCOMPARE(body.value("hr_resize_y").toVariant().toInt(), 1024);
        QCOMPARE(body.value("hr_upscaler").toString(), QString("Lanczos"));
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.25);
        QCOMPARE(body.value("hr_second_pass_steps").toVariant().toInt(), 3);
        QCOMPARE(QByteArray::fromBase64(body.value("firstpass_image").toString().toLatin1()), png);
        QCOMPARE(body.value("override_settings").toObject().value("sd_model_checkpoint").toString(), kModelA);
        const HttpReply upscaled = http("GET", m_h->nav().url("/api/images/" + id + "/info"));
        QVERIFY2(upscaled.json().value("info").toString().contains("Hires"), upscaled.body.constData());

        // Upscaling the upscale starts from its real size (1024x1024), not the first-pass "Size" (512x512).
        const HttpReply again = m_h->as(kAlice, "POST", "/api/queue/user/txt2img/upscale-hrf/" + id);
        QCOMPARE(again.status, 200);
        const QString second = again.json().value("job_id").toString();
        QCOMPARE(m_h->waitForFinal(kAlice, second).value("status").toString(), QString("finished"));
        const QJsonObject secondBody = forgeBodyOf(second);
        QCOMPARE(secondBody.value("width").toVariant().toInt(), 1024);
        QCOMPARE(secondBody.value("hr_resize_x").toVariant().toInt(), 2048);
        QCOMPARE(QByteArray::fromBase64(secondBody.value("firstpass_image").toString().toLatin1()),
                 http("GET", m_h->nav().url("/api/images/" + id)).body);
    }

    void upscaleHrfErrors() {
        const QString finished = finishedJob();
        QVERIFY(!finished.isEmpty());
        const HttpReply foreign = m_h->as(kBob, "POST", "/api/queue/user/txt2img/upscale-hrf/" + finished);
        QVERIFY2(foreign.status == 403 || foreign.status == 404, foreign.body.constData());
        const HttpReply unknown = m_h->as(kAlice, "POST", "/api/queue/user/txt2img/upscale-hrf/nosuchid");
        QVERIFY2(unknown.status == 400 || unknown.status == 404, unknown.body.constData());
        // 1536x1536 doubled is over the 4194304 limit of this suite.
        const QString big = submitAndFinish(kAlice, {{"width", 1536}, {"height", 1536}, {"steps", 2}});
        QVERIFY(!big.isEmpty());
        const HttpReply tooLarge = m_h->as(kAlice, "POST", "/api/queue/user/txt2img/upscale-hrf/" + big);
        QCOMPARE(tooLarge.status, 400);
        QCOMPARE(tooLarge.json().value("error").toString(), QString("Image is too large to upscale"));
    }

    void queueListingAndJobState() {
        // Hold the backend with a long job so the next ones wait.
        const QString running = m_h->txt2img(kAlice, {{"steps", 150}}).json().value("job_id").toString();
        QVERIFY(!running.isEmpty());
        const QString second = m_h->txt2img(kAlice).json().value("job_id").toString();
        const QString bobs = m_h->txt2img(kBob).json().value("job_id").toString();
        QCOMPARE(m_h->waitForStatus(kAlice, running, {"started", "processing"}).value("job_id").toString(),
                 running);

        const HttpReply list = m_h->as(kAlice, "GET", "/api/queue");
        QCOMPARE(list.status, 200);
        const QJsonArray jobs = list.json().value("jobs").toArray();
        QStringList ids;
        for (const QJsonValue &job : jobs)
            ids << job.toObject().value("job_id").toString();
        QVERIFY2(ids.contains(running) && ids.contains(second), qPrintable(ids.join(',')));
        QVERIFY2(!ids.contains(bobs), "another user's job is listed");
        for (const QJsonValue &value : jobs) {
            const QJsonObject job = value.toObject();
            QVERIFY(job.value("position").isDouble());
            QVERIFY(job.contains("status"));
            QVERIFY(!job.contains("origin"));
        }

        const QJsonObject waiting = m_h->job(kAlice, second);
        QCOMPARE(waiting.value("status").toString(), QString("queued"));
        QVERIFY(waiting.value("position").toInt() >= 1);
        QCOMPARE(m_h->as(kBob, "GET", "/api/queue/jobs/" + second).status, 403);
        QCOMPARE(m_h->as(kAlice, "GET", "/api/queue/jobs/nosuchid").status, 404);

        QCOMPARE(m_h->as(kAlice, "POST", "/api/queue/interrupt/" + running).status, 200);
        for (const QString &id : {running, second})
            QVERIFY(m_h->waitForFinal(kAlice, id).contains("status"));
        m_h->waitForFinal(kBob, bobs);
        QCOMPARE(m_h->job(kAlice, second).value("status").toString(), QString("finished"));
    }

    void legacyEndpointsDisabled() {
        const HttpReply txt = httpJson("POST", m_h->nav().url("/api/queue/txt2img"),
                                       {{"model_name", kModelA}, {"prompt", "x"}, {"owner_id", kAlice}});
        QCOMPARE(txt.status, 400);
        QCOMPARE(txt.json().value("error").toString(),
                 QString("This endpoint is not enabled. Please use /api/queue/user/txt2img instead."));
        const HttpReply img = httpJson("POST", m_h->nav().url("/api/queue/img2img"),
                                       {{"model_name", kModelA}, {"prompt", "x"}, {"owner_id", kAlice}});
        QCOMPARE(img.status, 400);
        QCOMPARE(img.json().value("error").toString(),
                 QString("This endpoint is not enabled. Please use /api/queue/user/img2img instead."));
    }
};

QTEST_GUILESS_MAIN(PipelineApiTest)
#include "tst_pipeline_api.moc"
