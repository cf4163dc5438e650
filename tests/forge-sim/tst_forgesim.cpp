// Integration tests: start the forge-sim binary and drive it over real HTTP.
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest>

#include <cmath>

class TstForgeSim : public QObject {
    Q_OBJECT

private:
    QProcess m_proc;
    QNetworkAccessManager m_nam;
    QString m_base;
    int m_port = 0;

    QNetworkReply *request(const QByteArray &method, const QString &path,
                           const QJsonValue &body = QJsonValue()) {
        QNetworkRequest req(QUrl(m_base + path));
        req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        QByteArray data;
        if (body.isObject())
            data = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
        return m_nam.sendCustomRequest(req, method, data);
    }
    // Waits for the reply; returns its status and fills *json with the parsed body.
    int wait(QNetworkReply *r, QJsonDocument *json = nullptr, int timeoutMs = 30000) {
        QElapsedTimer t;
        t.start();
        while (!r->isFinished() && t.elapsed() < timeoutMs)
            QTest::qWait(5);
        r->deleteLater();
        if (!r->isFinished())
            return -1;
        if (json)
            *json = QJsonDocument::fromJson(r->readAll());
        return r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }
    int call(const QByteArray &method, const QString &path, const QJsonValue &body = QJsonValue(),
             QJsonDocument *json = nullptr) {
        return wait(request(method, path, body), json);
    }
    QJsonObject control(const QString &path, const QJsonObject &body = {}) {
        QJsonDocument d;
        call(body.isEmpty() && !path.contains("reset") ? "GET" : "POST", path, body, &d);
        return d.object();
    }
    QJsonArray requestLog() {
        QJsonDocument d;
        call("GET", "/sim/requests", {}, &d);
        return d.array();
    }
    QJsonObject internalProgress(const QString &id) {
        QJsonDocument d;
        call("POST", "/internal/progress",
             QJsonObject{{"id_task", id}, {"live_preview", false}, {"id_live_preview", -1}}, &d);
        return d.object();
    }

private slots:
    void initTestCase() {
        m_proc.setProgram(FORGE_SIM_BIN);
        m_proc.setArguments(
            {"--port", "0", "--step-ms", "20", "--switch-ms", "1000", "--preview-every", "5", "--seed", "7"});
        m_proc.setProcessChannelMode(QProcess::SeparateChannels);
        m_proc.setStandardErrorFile(QProcess::nullDevice());
        m_proc.start();
        QVERIFY(m_proc.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(m_proc.canReadLine(), 20000);
        const QString line = QString::fromUtf8(m_proc.readLine()).trimmed();
        const auto m = QRegularExpression(R"(^forge-sim listening on (http://[\d.]+:(\d+))$)").match(line);
        QVERIFY2(m.hasMatch(), qPrintable(line));
        m_base = m.captured(1);
        m_port = m.captured(2).toInt();
    }
    void cleanupTestCase() {
        m_proc.kill();
        m_proc.waitForFinished();
    }
    void init() { control("/sim/reset"); }

    void listings() {
        QJsonDocument d;
        QCOMPARE(call("GET", "/sdapi/v1/samplers", {}, &d), 200);
        QCOMPARE(d.array().size(), 25);
        QCOMPARE(d.array().first()["name"].toString(), "DPM++ 2M");
        QCOMPARE(d.array().at(6)["aliases"].toArray(), (QJsonArray{"k_euler_a", "k_euler_ancestral"}));
        QCOMPARE(call("GET", "/sdapi/v1/schedulers", {}, &d), 200);
        QCOMPARE(d.array().size(), 16);
        QCOMPARE(d.array().at(2)["label"].toString(), "Karras");
        QCOMPARE(d.array().at(2)["default_rho"].toDouble(), 7.0);
        QCOMPARE(call("GET", "/sdapi/v1/sd-models", {}, &d), 200);
        QCOMPARE(d.array().size(), 3);
        const QJsonObject m = d.array().first().toObject();
        QCOMPARE(m["model_name"].toString(), "sd_xl_base_1.0");
        QCOMPARE(m["hash"].toString(), m["sha256"].toString().left(10));
        QCOMPARE(m["title"].toString(), "sd_xl_base_1.0.safetensors [" + m["hash"].toString() + "]");
        QVERIFY(m["config"].isNull());
        QCOMPARE(call("GET", "/sdapi/v1/upscalers", {}, &d), 200);
        QCOMPARE(d.array().first()["name"].toString(), "None");
        QCOMPARE(call("GET", "/sdapi/v1/sd-modules", {}, &d), 200);
        QCOMPARE(d.array().first()["model_name"].toString(), "ae.safetensors");
        QCOMPARE(call("GET", "/sdapi/v1/loras", {}, &d), 200);
        QVERIFY(d.array().first()["metadata"]["sshs_model_hash"].isString());
        QCOMPARE(call("GET", "/sdapi/v1/embeddings", {}, &d), 200);
        QVERIFY(d.object()["loaded"].toObject().contains("EasyNegative"));
        QCOMPARE(call("GET", "/sdapi/v1/options", {}, &d), 200);
        QVERIFY(d.object()["sd_model_checkpoint"].toString().startsWith("sd_xl_base_1.0"));
        QCOMPARE(d.object()["show_progress_every_n_steps"].toInt(), 5);
        QCOMPARE(call("GET", "/sdapi/v1/nope", {}, &d), 404);
        QCOMPARE(d.object()["detail"].toString(), "Not Found");
        QCOMPARE(call("GET", "/sdapi/v1/txt2img", {}, &d), 405);
        QCOMPARE(call("POST", "/sdapi/v1/refresh-checkpoints", QJsonObject{}, &d), 200);
        QVERIFY(d.isNull());
        QCOMPARE(call("POST", "/sdapi/v1/unload-checkpoint", QJsonObject{}, &d), 200);
        QCOMPARE(control("/sim/state")["unload_count"].toInt(), 1);
        QCOMPARE(call("POST", "/sdapi/v1/reload-checkpoint", QJsonObject{}, &d), 200);
    }

    void options() {
        QJsonDocument d;
        QCOMPARE(call("POST", "/sdapi/v1/options", QJsonObject{{"sd_model_checkpoint", "nope"}}, &d), 500);
        QCOMPARE(d.object()["error"].toString(), "RuntimeError");
        QCOMPARE(call("POST", "/sdapi/v1/options", QJsonObject{{"no_such_key", 1}}, &d), 500);
        QCOMPARE(d.object()["error"].toString(), "KeyError");
        QCOMPARE(call("POST", "/sdapi/v1/options", QJsonObject{{"show_progress_every_n_steps", 5}}, &d), 200);
    }

    void txt2imgRoundTrip() {
        const QJsonObject body{
            {"prompt", "a cat"},
            {"negative_prompt", "blurry"},
            {"seed", 1234},
            {"steps", 4},
            {"width", 300},
            {"height", 200},
            {"sampler_name", "DPM++ 2M"},
            {"scheduler", "automatic"},
            {"cfg_scale", 7},
            {"force_task_id", "navigator-00000001"},
            {"alwayson_scripts",
             QJsonObject{{"FreeU Integrated (SD 1.x, SD 2.x, SDXL)",
                          QJsonObject{{"args", QJsonArray{true, 1.1, 1.2, 0.6, 0.4, 0, 1}}}},
                         {"selfattentionguidance integrated (sd 1.x, sd 2.x, sdxl)",
                          QJsonObject{{"args", QJsonArray{true}}}}}}};
        QJsonDocument d;
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 200);
        const QJsonObject res = d.object();
        QCOMPARE(res["images"].toArray().size(), 1);
        QCOMPARE(res["parameters"]["seed"].toInt(), 1234);
        const QJsonObject info = QJsonDocument::fromJson(res["info"].toString().toUtf8()).object();
        QCOMPARE(info["seed"].toDouble(), 1234.0);
        QCOMPARE(info["all_seeds"].toArray(), QJsonArray{1234});
        const QString infotext = info["infotexts"][0].toString();
        QVERIFY2(
            infotext.startsWith("a cat\nNegative prompt: blurry\nSteps: 4, Sampler: DPM++ 2M, Schedule type: "
                                "Karras, CFG scale: 7.0, Seed: 1234, Size: 296x200, Model hash: "),
            qPrintable(infotext));
        QVERIFY(infotext.contains(
            "freeu_enabled: True, freeu_b1: 1.1, freeu_b2: 1.2, freeu_s1: 0.6, freeu_s2: 0.4, "
            "freeu_start: 0, freeu_end: 1, sag_enabled: True, sag_scale: 0.5, sag_blur_sigma: "
            "2.0, sag_threshold: 1.0, Version"));
        QVERIFY(infotext.endsWith("Version: f2.0.1v1.10.1-previous-669-gdfdcbab6"));
        const QByteArray png = QByteArray::fromBase64(res["images"][0].toString().toLatin1());
        QImage img;
        QVERIFY(img.loadFromData(png));
        QCOMPARE(img.size(), QSize(296, 200));
        QCOMPARE(img.text("parameters"), infotext);
        QVERIFY(png.contains("tEXtparameters"));

        // Same seed, same bytes.
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 200);
        QCOMPARE(d.object()["images"][0].toString(), res["images"][0].toString());

        // png-info round trip (§6.2).
        QCOMPARE(call("POST", "/sdapi/v1/png-info", QJsonObject{{"image", res["images"][0]}}, &d), 200);
        const QJsonObject pi = d.object();
        QCOMPARE(pi["info"].toString(), infotext);
        const QJsonObject params = pi["parameters"].toObject();
        QCOMPARE(params["Size-1"].toString(), "296");
        QCOMPARE(params["Size-2"].toString(), "200");
        QCOMPARE(params["Seed"].toString(), "1234");
        QCOMPARE(params["CFG scale"].toString(), "7.0");
        QCOMPARE(params["Prompt"].toString(), "a cat");
        QCOMPARE(params["Negative prompt"].toString(), "blurry");
        QCOMPARE(params["freeu_enabled"].toString(), "True");
        QCOMPARE(params["Clip skip"].toString(), "1");
        QCOMPARE(params["Hires resize-1"].toInt(), 0);
        QCOMPARE(params["Hires VAE/TE"].toArray(), QJsonArray{"Use same choices"});
        QVERIFY(!params.contains("Model")); // substring of the current checkpoint
        QCOMPARE(call("POST", "/sdapi/v1/png-info", QJsonObject{{"image", "!!notbase64"}}, &d), 500);
        QCOMPARE(d.object()["detail"].toString(), "Invalid encoded image");
        // A prompt outside Latin-1 travels in an iTXt chunk; png-info reads it back whole (newlines and all).
        QJsonObject unicode = body;
        unicode["prompt"] = QString::fromUtf8("ein Kätzchen \xe7\x8c\xab\nzweite Zeile");
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", unicode, &d), 200);
        const QJsonObject unicodeRes = d.object();
        const QString unicodeText = QJsonDocument::fromJson(unicodeRes["info"].toString().toUtf8())
                                        .object()["infotexts"][0]
                                        .toString();
        QVERIFY(
            QByteArray::fromBase64(unicodeRes["images"][0].toString().toLatin1()).contains("iTXtparameters"));
        QCOMPARE(call("POST", "/sdapi/v1/png-info", QJsonObject{{"image", unicodeRes["images"][0]}}, &d),
                 200);
        QCOMPARE(d.object()["info"].toString(), unicodeText);
        QCOMPARE(d.object()["parameters"].toObject()["Prompt"].toString(), unicode["prompt"].toString());
        // The signature and a header are enough, as for PIL: pixels are not decoded.
        QByteArray truncated = QByteArray::fromBase64(res["images"][0].toString().toLatin1());
        truncated.truncate(truncated.indexOf("IDAT") + 8);
        QCOMPARE(call("POST", "/sdapi/v1/png-info",
                      QJsonObject{{"image", QString::fromLatin1(truncated.toBase64())}}, &d),
                 200);
        QCOMPARE(d.object()["info"].toString(), infotext);

        // seed -1 becomes a reported random seed.
        QJsonObject random = body;
        random["seed"] = -1;
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", random, &d), 200);
        const QJsonObject info2 = QJsonDocument::fromJson(d.object()["info"].toString().toUtf8()).object();
        QVERIFY(info2["seed"].toDouble() >= 0);
        QCOMPARE(d.object().value("parameters").toObject().value("seed").toInt(), -1);
    }

    void hiresAndFirstpass() {
        QJsonDocument d;
        QJsonObject body{{"prompt", "x"},
                         {"seed", 1},
                         {"steps", 2},
                         {"width", 64},
                         {"height", 64},
                         {"enable_hr", true},
                         {"hr_upscaler", "4x_NMKD-Siax_200k"},
                         {"hr_resize_x", 128},
                         {"hr_resize_y", 96},
                         {"hr_second_pass_steps", 2}};
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 200);
        QImage img;
        QVERIFY(img.loadFromData(QByteArray::fromBase64(d.object()["images"][0].toString().toLatin1())));
        QCOMPARE(img.size(), QSize(128, 96));
        const QJsonObject info = QJsonDocument::fromJson(d.object()["info"].toString().toUtf8()).object();
        QVERIFY(info["infotexts"][0].toString().contains("Size: 64x64"));
        QVERIFY(info["infotexts"][0].toString().contains("Hires resize: 128x96"));
        body["firstpass_image"] = d.object()["images"][0];
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 200);
        QVERIFY(img.loadFromData(QByteArray::fromBase64(d.object()["images"][0].toString().toLatin1())));
        QCOMPARE(img.size(), QSize(128, 96));
        body["firstpass_image"] = "garbage";
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 500);
        QCOMPARE(d.object()["detail"].toString(), "Invalid encoded image");
        body.remove("firstpass_image");
        body["hr_upscaler"] = "RealESRGAN_x4";
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 500);
        QCOMPARE(d.object()["message"].toString(), "could not find upscaler named RealESRGAN_x4");
    }

    void img2imgAndOverride() {
        QJsonDocument d;
        QCOMPARE(
            call("POST", "/sdapi/v1/txt2img", QJsonObject{{"steps", 1}, {"width", 64}, {"height", 64}}, &d),
            200);
        const QString init = "data:image/png;base64," + d.object()["images"][0].toString();
        const QJsonObject body{
            {"init_images", QJsonArray{init}},
            {"steps", 10},
            {"denoising_strength", 0.35},
            {"width", 96},
            {"height", 80},
            {"override_settings", QJsonObject{{"sd_model_checkpoint", "flux1-dev-bnb-nf4-v2"}}},
            {"override_settings_restore_afterwards", false}};
        QCOMPARE(call("POST", "/sdapi/v1/img2img", body, &d), 200);
        QImage img;
        QVERIFY(img.loadFromData(QByteArray::fromBase64(d.object()["images"][0].toString().toLatin1())));
        QCOMPARE(img.size(), QSize(96, 80));
        QVERIFY(d.object().value("parameters").toObject().value("init_images").isNull());
        const QString it = QJsonDocument::fromJson(d.object()["info"].toString().toUtf8())
                               .object()["infotexts"][0]
                               .toString();
        QVERIFY2(it.contains("Distilled CFG Scale: 3.5") && it.contains("Model: flux1-dev-bnb-nf4-v2") &&
                     it.contains("Denoising strength: 0.35"),
                 qPrintable(it));
        QJsonDocument p;
        call("GET", "/sdapi/v1/progress", {}, &p);
        QCOMPARE(p.object().value("state").toObject().value("sampling_steps").toInt(), 4); // int(0.35*10)+1
        call("GET", "/sdapi/v1/options", {}, &d);
        QCOMPARE(d.object()["sd_model_checkpoint"].toString(), "flux1-dev-bnb-nf4-v2");
        QCOMPARE(requestLog().last()["model"].toString(), "flux1-dev-bnb-nf4-v2");
        QCOMPARE(
            call("POST", "/sdapi/v1/options", QJsonObject{{"sd_model_checkpoint", "sd_xl_base_1.0"}}, &d),
            200);
    }

    void validation() {
        QJsonDocument d;
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", QJsonObject{{"scheduler", 30}, {"steps", "7"}}, &d), 422);
        const QJsonObject e = d.object()["detail"][0].toObject();
        QCOMPARE(e["type"].toString(), "string_type");
        QCOMPARE(e["loc"].toArray(), (QJsonArray{"body", "scheduler"}));
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", QJsonObject{{"steps", 2.5}}, &d), 422);
        QCOMPARE(d.object()["detail"][0]["type"].toString(), "int_from_float");
        QCOMPARE(call("POST", "/sdapi/v1/txt2img",
                      QJsonObject{{"alwayson_scripts", QJsonObject{{"nope", QJsonObject{}}}}}, &d),
                 422);
        QCOMPARE(d.object()["detail"].toString(), "always on script nope not found");
        QCOMPARE(call("POST", "/sdapi/v1/img2img", QJsonObject{{"steps", 2}}, &d), 404);
        QCOMPARE(d.object()["detail"].toString(), "Init image not found");
        // Unknown sampler/scheduler/checkpoint fall back silently.
        QCOMPARE(call("POST", "/sdapi/v1/txt2img",
                      QJsonObject{{"steps", 1},
                                  {"width", 64},
                                  {"height", 64},
                                  {"sampler_name", "k_euler_a"},
                                  {"scheduler", "KARRAS"},
                                  {"override_settings", QJsonObject{{"sd_model_checkpoint", "missing"}}}},
                      &d),
                 200);
        const QString it = QJsonDocument::fromJson(d.object()["info"].toString().toUtf8())
                               .object()["infotexts"][0]
                               .toString();
        QVERIFY2(it.contains("Sampler: DPM++ 2M, Schedule type: Karras"), qPrintable(it));
    }

    void fifoAndProgress() {
        QList<QNetworkReply *> replies;
        const QStringList ids = {"navigator-aaaaaaa1", "navigator-aaaaaaa2", "navigator-aaaaaaa3"};
        for (const QString &id : ids) {
            replies.append(request(
                "POST", "/sdapi/v1/txt2img",
                QJsonObject{
                    {"prompt", id}, {"steps", 25}, {"width", 64}, {"height", 64}, {"force_task_id", id}}));
            // Send the next one only after this one has arrived, so arrival order is known.
            QTRY_COMPARE_WITH_TIMEOUT(requestLog().size(), replies.size(), 10000);
        }
        // While the first runs, the third is queued at 2/2 (or 1/1 if the first finished already).
        QJsonObject third = internalProgress(ids[2]);
        if (third["queued"].toBool())
            QVERIFY(
                QRegularExpression(R"(^In queue: \d/\d$)").match(third["textinfo"].toString()).hasMatch());
        QTRY_VERIFY_WITH_TIMEOUT(internalProgress(ids[0])["active"].toBool() || replies[0]->isFinished(),
                                 10000);
        // GET endpoints answer during a generation, and a preview appears.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QJsonDocument d;
                call("GET", "/sdapi/v1/progress", {}, &d);
                return d.object()["current_image"].isString();
            }(),
            20000);
        for (QNetworkReply *r : replies)
            QCOMPARE(wait(r), 200);
        QJsonDocument d(requestLog());
        QCOMPARE(d.array().size(), 3);
        double lastStart = 0, lastEnd = 0;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject e = d.array().at(i).toObject();
            QCOMPARE(e["task_id"].toString(), ids[i]);
            QCOMPARE(e["outcome"].toString(), "ok");
            QCOMPARE(e["model"].toString(), "sd_xl_base_1.0");
            QCOMPARE(e["body"]["prompt"].toString(), ids[i]);
            QVERIFY(e["started_ms"].toDouble() >= lastEnd);
            QVERIFY(e["started_ms"].toDouble() >= lastStart);
            lastStart = e["started_ms"].toDouble();
            lastEnd = e["ended_ms"].toDouble();
        }
        QJsonObject done = internalProgress(ids[2]);
        QCOMPARE(done["completed"].toBool(), true);
        QCOMPARE(done["active"].toBool(), false);
        QCOMPARE(done["textinfo"].toString(), "Waiting...");
    }

    void queuedPosition() {
        QNetworkReply *a =
            request("POST", "/sdapi/v1/txt2img",
                    QJsonObject{{"steps", 40}, {"width", 64}, {"height", 64}, {"force_task_id", "q-a"}});
        QTRY_VERIFY_WITH_TIMEOUT(internalProgress("q-a")["active"].toBool(), 10000);
        QNetworkReply *b =
            request("POST", "/sdapi/v1/txt2img",
                    QJsonObject{{"steps", 1}, {"width", 64}, {"height", 64}, {"force_task_id", "q-b"}});
        QNetworkReply *c =
            request("POST", "/sdapi/v1/txt2img",
                    QJsonObject{{"steps", 1}, {"width", 64}, {"height", 64}, {"force_task_id", "q-c"}});
        QTRY_COMPARE_WITH_TIMEOUT(internalProgress("q-c")["textinfo"].toString(), QString("In queue: 2/2"),
                                  10000);
        const QJsonObject bState = internalProgress("q-b");
        QCOMPARE(bState["queued"].toBool(), true);
        QCOMPARE(bState["textinfo"].toString(), "In queue: 1/2");
        const QJsonObject aState = internalProgress("q-a");
        QVERIFY(aState["progress"].isDouble());
        // With live_preview the preview comes as a data URI and the server's preview id.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QJsonDocument d;
                call("POST", "/internal/progress",
                     QJsonObject{{"id_task", "q-a"}, {"live_preview", true}, {"id_live_preview", -1}}, &d);
                return d.object()["live_preview"].toString().startsWith("data:image/png;base64,") &&
                       d.object()["id_live_preview"].toInt() > 0;
            }(),
            20000);
        QCOMPARE(wait(a), 200);
        QCOMPARE(wait(b), 200);
        QCOMPARE(wait(c), 200);
    }

    void interrupt() {
        QNetworkReply *r =
            request("POST", "/sdapi/v1/txt2img",
                    QJsonObject{{"steps", 200}, {"width", 64}, {"height", 64}, {"force_task_id", "int-1"}});
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QJsonDocument d;
                call("GET", "/sdapi/v1/progress", {}, &d);
                return d.object().value("state").toObject().value("sampling_step").toInt() >= 2;
            }(),
            20000);
        QJsonDocument d;
        QCOMPARE(call("POST", "/sdapi/v1/interrupt", QJsonObject{}, &d), 200);
        QCOMPARE(wait(r, &d), 200);
        QCOMPARE(d.object()["images"].toArray().size(), 1);
        call("GET", "/sim/requests", {}, &d);
        QCOMPARE(d.array().last()["outcome"].toString(), "interrupted");

        // Interrupt during the model switch: no images.
        r = request(
            "POST", "/sdapi/v1/txt2img",
            QJsonObject{{"steps", 5},
                        {"width", 64},
                        {"height", 64},
                        {"override_settings", QJsonObject{{"sd_model_checkpoint", "ponyDiffusionV6XL"}}}});
        // job_count is -1 while the checkpoint loads (1 s in this test).
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QJsonDocument p;
                call("GET", "/sdapi/v1/progress", {}, &p);
                return p.object().value("state").toObject().value("job_count").toInt() == -1;
            }(),
            10000);
        QCOMPARE(call("POST", "/sdapi/v1/interrupt", QJsonObject{}), 200);
        QCOMPARE(wait(r, &d), 200);
        QCOMPARE(d.object()["images"].toArray().size(), 0);
        QCOMPARE(control("/sim/state")["loaded_model"].toString(), "ponyDiffusionV6XL");
        call("GET", "/sdapi/v1/options", {}, &d);
        // restore_afterwards defaults to true, so the selection stays as it was.
        QVERIFY(d.object()["sd_model_checkpoint"].toString().startsWith("sd_xl_base_1.0"));
    }

    // POST /sim/speed changes the step time of later generations (benches run 1 s jobs on a sim started
    // with --step-ms 0); the request log times them to the microsecond.
    void speedChangesAtRunTime() {
        QCOMPARE(control("/sim/speed")["step_ms"].toInt(), 20);
        QCOMPARE(control("/sim/speed", QJsonObject{{"step_ms", 60}})["step_ms"].toInt(), 60);
        const QJsonObject body{{"steps", 5}, {"width", 64}, {"height", 64}, {"force_task_id", "slow-1"}};
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body), 200);
        QCOMPARE(control("/sim/speed", QJsonObject{{"step_ms", 20}})["step_ms"].toInt(), 20);
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body), 200);
        const QJsonArray log = requestLog();
        QCOMPARE(log.size(), 2);
        const auto took = [&](int i) {
            return log.at(i)["ended_ms"].toDouble() - log.at(i)["started_ms"].toDouble();
        };
        QVERIFY2(took(0) >= 300.0, qPrintable(QString::number(took(0)))); // 5 steps of 60 ms
        QVERIFY2(took(1) >= 100.0, qPrintable(QString::number(took(1)))); // 5 steps of 20 ms
        QVERIFY2(took(0) != std::floor(took(0)) || took(1) != std::floor(took(1)), "whole milliseconds only");
    }

    void faultFailNext() {
        control("/sim/faults", QJsonObject{{"fail_next", 1}});
        QJsonDocument d;
        const QJsonObject body{{"steps", 1}, {"width", 64}, {"height", 64}, {"force_task_id", "fail-1"}};
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 500);
        QCOMPARE(d.object()["error"].toString(), "RuntimeError");
        // A failed task stays current (Forge does not call finish_task on an exception).
        QCOMPARE(internalProgress("fail-1")["active"].toBool(), true);
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", body, &d), 200);
        call("GET", "/sim/requests", {}, &d);
        QCOMPARE(d.array().at(0)["outcome"].toString(), "failed");
        QCOMPARE(d.array().at(1)["outcome"].toString(), "ok");
    }

    void faultDrop() {
        control("/sim/faults", QJsonObject{{"drop_next", 1}});
        // A raw socket: QNetworkAccessManager would silently resend a request whose connection closed early.
        QTcpSocket sock;
        sock.connectToHost("127.0.0.1", quint16(m_port));
        QVERIFY(sock.waitForConnected(10000));
        const QByteArray body = R"({"steps":6,"width":64,"height":64,"force_task_id":"drop-1"})";
        sock.write("POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/json\r\nContent-Length: " +
                   QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QTRY_COMPARE_WITH_TIMEOUT(sock.state(), QAbstractSocket::UnconnectedState, 10000);
        QVERIFY(sock.readAll().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(requestLog().at(0)["outcome"].toString(), QString("dropped"), 10000);
        QCOMPARE(requestLog().at(0)["task_id"].toString(), "drop-1");
        // The next generation is normal again.
        QCOMPARE(call("POST", "/sdapi/v1/txt2img", QJsonObject{{"steps", 1}, {"width", 64}, {"height", 64}}),
                 200);
    }

    void faultDelay() {
        control("/sim/faults", QJsonObject{{"delay_ms", 300}});
        QElapsedTimer t;
        t.start();
        QCOMPARE(call("GET", "/sdapi/v1/samplers"), 200);
        QVERIFY(t.elapsed() >= 300);
        control("/sim/faults", QJsonObject{{"delay_ms", 0}});
        QCOMPARE(control("/sim/faults")["delay_ms"].toInt(), 0);
    }

    void faultRefuseAndRestart() {
        control("/sim/faults", QJsonObject{{"refuse_ms", 1500}});
        QTcpSocket s;
        s.connectToHost("127.0.0.1", quint16(m_port));
        QVERIFY(!s.waitForConnected(1000) || s.state() != QAbstractSocket::ConnectedState);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QTcpSocket probe;
                probe.connectToHost("127.0.0.1", quint16(m_port));
                return probe.waitForConnected(500);
            }(),
            10000);

        QJsonDocument d;
        QCOMPARE(
            call("POST", "/sdapi/v1/options", QJsonObject{{"sd_model_checkpoint", "ponyDiffusionV6XL"}}, &d),
            200);
        QNetworkReply *r =
            request("POST", "/sdapi/v1/txt2img", QJsonObject{{"steps", 100}, {"width", 64}, {"height", 64}});
        QTRY_COMPARE_WITH_TIMEOUT(control("/sim/state")["busy"].toBool(), true, 10000);
        control("/sim/faults", QJsonObject{{"restart", true}, {"restart_ms", 500}});
        QVERIFY(wait(r) != 200);
        QTRY_COMPARE_WITH_TIMEOUT(call("GET", "/sdapi/v1/options", {}, &d), 200, 10000);
        QVERIFY(d.object()["sd_model_checkpoint"].toString().startsWith("sd_xl_base_1.0"));
        QCOMPARE(control("/sim/state")["busy"].toBool(), false);
    }
};

QTEST_GUILESS_MAIN(TstForgeSim)
#include "tst_forgesim.moc"
