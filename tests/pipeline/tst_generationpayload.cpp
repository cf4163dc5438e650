// The Forge request bodies built from a job's parameters (Forge's txt2img/img2img API and the original's
// rules).
#include "server/forge/GenerationPayload.h"

#include <QJsonArray>
#include <QtTest>

using namespace nav::forge;

namespace {
QJsonObject base(const QJsonObject &extra = {}) {
    QJsonObject p{{"model_name", "sd_xl_base_1.0"},
                  {"prompt", "a cat"},
                  {"width", 512},
                  {"height", 512},
                  {"steps", 50},
                  {"seed", -1}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        p.insert(it.key(), it.value());
    return p;
}
} // namespace

class GenerationPayloadTest : public QObject {
    Q_OBJECT
private slots:
    void txt2imgDefaults() {
        const QJsonObject body = txt2imgPayload(base(), "1a2b3c4d");
        QCOMPARE(body.value("prompt").toString(), QString("a cat"));
        QCOMPARE(body.value("negative_prompt").toString(), QString(""));
        QCOMPARE(body.value("seed").toInt(), -1);
        QCOMPARE(body.value("steps").toInt(), 50);
        QCOMPARE(body.value("cfg_scale").toDouble(), 7.0);
        QCOMPARE(body.value("distilled_cfg_scale").toDouble(), 3.5);
        QCOMPARE(body.value("sampler_name").toString(), QString("DPM++ 2M"));
        QCOMPARE(body.value("scheduler").toString(), QString("automatic"));
        QCOMPARE(body.value("enable_hr").toBool(true), false);
        QCOMPARE(body.value("save_images").toBool(true), false);
        QCOMPARE(body.value("force_task_id").toString(), QString("navigator-1a2b3c4d"));
        QCOMPARE(body.value("override_settings_restore_afterwards").toBool(true), false);
        QCOMPARE(body.value("override_settings").toObject().value("sd_model_checkpoint").toString(),
                 QString("sd_xl_base_1.0"));
        QCOMPARE(body.value("override_settings").toObject().value("forge_additional_modules").toArray(),
                 QJsonArray{});
        QVERIFY(!body.contains("alwayson_scripts"));
        QVERIFY(!body.contains("firstpass_image"));
        QVERIFY(!body.contains("denoising_strength"));
        QVERIFY(!body.contains("subseed"));
        // A real Forge upscaler name (the original's "RealESRGAN_x4" is not one).
        QCOMPARE(body.value("hr_upscaler").toString(), kDefaultHiresUpscaler);
    }

    void forceHiresFix() {
        const QJsonObject body = txt2imgPayload(base({{"force_hr_fix", true}, {"hrf_steps", 20}}), "id");
        QCOMPARE(body.value("enable_hr").toBool(), true);
        QCOMPARE(body.value("width").toInt(), 512);
        QCOMPARE(body.value("hr_resize_x").toInt(), 1024);
        QCOMPARE(body.value("hr_resize_y").toInt(), 1024);
        QCOMPARE(body.value("hr_second_pass_steps").toInt(), 20);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.35);
        const QJsonObject capped = txt2imgPayload(base({{"force_hr_fix", true}, {"hrf_steps", 80}}), "id");
        QCOMPARE(capped.value("hr_second_pass_steps").toInt(), 50);
        const QJsonObject noHrfSteps = txt2imgPayload(base({{"force_hr_fix", true}}), "id");
        QCOMPARE(noHrfSteps.value("hr_second_pass_steps").toInt(), 50);
        const QJsonObject given =
            txt2imgPayload(base({{"force_hr_fix", true}, {"denoising_strength", 0.6}}), "id");
        QCOMPARE(given.value("denoising_strength").toDouble(), 0.6);
    }

    void autoHiresAboveOneMegapixel() {
        const QJsonObject body =
            txt2imgPayload(base({{"width", 1537}, {"height", 1024}, {"steps", 40}}), "id");
        QCOMPARE(body.value("enable_hr").toBool(), true);
        QCOMPARE(body.value("width").toInt(), 769); // half, rounded up
        QCOMPARE(body.value("height").toInt(), 512);
        QCOMPARE(body.value("hr_resize_x").toInt(), 1537);
        QCOMPARE(body.value("hr_resize_y").toInt(), 1024);
        QCOMPARE(body.value("hr_second_pass_steps").toInt(), 30);
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.35);
        const QJsonObject few =
            txt2imgPayload(base({{"width", 1536}, {"height", 1536}, {"steps", 12}}), "id");
        QCOMPARE(few.value("hr_second_pass_steps").toInt(), 12);
        // Exactly 1024x1024 is not above the threshold.
        const QJsonObject edge = txt2imgPayload(base({{"width", 1024}, {"height", 1024}}), "id");
        QCOMPARE(edge.value("enable_hr").toBool(), false);
        QCOMPARE(edge.value("width").toInt(), 1024);
    }

    void firstPassImageOnlyWithHires() {
        const QJsonObject upscale = txt2imgPayload(base({{"force_hr_fix", true}}), "id", "iVBORw0KGgo=");
        QCOMPARE(upscale.value("firstpass_image").toString(), QString("iVBORw0KGgo="));
        QCOMPARE(upscale.value("enable_hr").toBool(), true);
    }

    void enhancementsAndVariations() {
        const QJsonObject body = txt2imgPayload(base({{"image_enhancements", true},
                                                      {"subseed", 77},
                                                      {"subseed_strength", 0.3},
                                                      {"modules", QJsonArray{"ae.safetensors"}}}),
                                                "id");
        const QJsonObject scripts = body.value("alwayson_scripts").toObject();
        QCOMPARE(scripts.value("FreeU Integrated (SD 1.x, SD 2.x, SDXL)").toObject().value("args").toArray(),
                 (QJsonArray{true, 1.1, 1.2, 0.6, 0.4, 0, 1}));
        QCOMPARE(scripts.value("SelfAttentionGuidance Integrated (SD 1.x, SD 2.x, SDXL)")
                     .toObject()
                     .value("args")
                     .toArray(),
                 (QJsonArray{true, 0.5, 2, 1}));
        QCOMPARE(body.value("subseed").toInt(), 77);
        QCOMPARE(body.value("subseed_strength").toDouble(), 0.3);
        QCOMPARE(body.value("override_settings").toObject().value("forge_additional_modules").toArray(),
                 (QJsonArray{"ae.safetensors"}));
        const QJsonObject img =
            img2imgPayload(base({{"image_enhancements", true}, {"init_image", "x"}}), "id");
        QVERIFY(img.contains("alwayson_scripts"));
    }

    void img2imgFieldsInTheirPlaces() {
        // The original shifted its arguments (scheduler got the steps, and so on); every field must land
        // right.
        const QJsonObject body = img2imgPayload(base({{"init_image", "AAAA"},
                                                      {"scheduler_name", "karras"},
                                                      {"steps", 12},
                                                      {"cfg_scale", 5.5},
                                                      {"width", 640},
                                                      {"height", 448},
                                                      {"mask", "BBBB"}}),
                                                "1a2b3c4d");
        QCOMPARE(body.value("init_images").toArray(), QJsonArray{"AAAA"});
        QCOMPARE(body.value("scheduler").toString(), QString("karras"));
        QCOMPARE(body.value("steps").toInt(), 12);
        QCOMPARE(body.value("cfg_scale").toDouble(), 5.5);
        QCOMPARE(body.value("width").toInt(), 640);
        QCOMPARE(body.value("height").toInt(), 448);
        QCOMPARE(body.value("mask").toString(), QString("BBBB"));
        QCOMPARE(body.value("denoising_strength").toDouble(), 0.75);
        QCOMPARE(body.value("force_task_id").toString(), QString("navigator-1a2b3c4d"));
        QCOMPARE(body.value("inpainting_fill").toInt(), 1);
        QCOMPARE(body.value("mask_blur").toInt(), 4);
        QVERIFY(!body.contains("enable_hr"));
        const QJsonObject noMask = img2imgPayload(base({{"init_image", "AAAA"}, {"mask", ""}}), "id");
        QVERIFY(!noMask.contains("mask"));
    }
};

QTEST_GUILESS_MAIN(GenerationPayloadTest)
#include "tst_generationpayload.moc"
