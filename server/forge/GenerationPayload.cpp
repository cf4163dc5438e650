#include "server/forge/GenerationPayload.h"

#include <QJsonArray>

#include <algorithm>

namespace nav::forge {

namespace {

constexpr int kAutoHiresMaxPixels = 1024 * 1024;
constexpr int kAutoHiresMaxSteps = 30;
constexpr double kHiresDenoising = 0.35;

QJsonObject common(const QJsonObject &p, const QString &jobId) {
    QJsonObject body{
        {"prompt", p.value("prompt")},
        {"negative_prompt", p.value("negative_prompt").toString()},
        {"seed", p.value("seed").toDouble(-1)},
        {"steps", p.value("steps").toInt(50)},
        {"width", p.value("width").toInt(512)},
        {"height", p.value("height").toInt(512)},
        {"cfg_scale", p.value("cfg_scale").toDouble(7)},
        {"distilled_cfg_scale", p.value("distilled_cfg").toDouble(3.5)},
        {"sampler_name", p.value("sampler_name").toString(QStringLiteral("DPM++ 2M"))},
        {"scheduler", p.value("scheduler_name").toString(QStringLiteral("automatic"))},
        {"save_images", false},
        {"override_settings", QJsonObject{{"sd_model_checkpoint", p.value("model_name")},
                                          {"forge_additional_modules", p.value("modules").toArray()}}},
        {"override_settings_restore_afterwards", false},
        {"force_task_id", taskIdFor(jobId)},
    };
    if (p.contains("subseed") && p.value("subseed_strength").toDouble() > 0) {
        body.insert("subseed", p.value("subseed"));
        body.insert("subseed_strength", p.value("subseed_strength"));
    }
    if (p.value("image_enhancements").toBool())
        body.insert("alwayson_scripts", enhancementScripts());
    return body;
}

} // namespace

QString taskIdFor(const QString &jobId) {
    return QStringLiteral("navigator-") + jobId;
}

QJsonObject enhancementScripts() {
    return QJsonObject{
        {"FreeU Integrated (SD 1.x, SD 2.x, SDXL)",
         QJsonObject{{"args", QJsonArray{true, 1.1, 1.2, 0.6, 0.4, 0, 1}}}},
        {"SelfAttentionGuidance Integrated (SD 1.x, SD 2.x, SDXL)",
         QJsonObject{{"args", QJsonArray{true, 0.5, 2, 1}}}},
    };
}

QJsonObject txt2imgPayload(const QJsonObject &p, const QString &jobId, const QString &firstPassBase64) {
    QJsonObject body = common(p, jobId);
    const int width = p.value("width").toInt(512);
    const int height = p.value("height").toInt(512);
    const int steps = p.value("steps").toInt(50);
    body.insert("enable_hr", false);
    body.insert("hr_upscaler", p.value("upscaler_name").toString(kDefaultHiresUpscaler));
    body.insert("hr_additional_modules", QJsonArray{});
    if (p.contains("denoising_strength"))
        body.insert("denoising_strength", p.value("denoising_strength"));

    if (p.value("force_hr_fix").toBool()) {
        body.insert("enable_hr", true);
        body.insert("hr_resize_x", width * 2);
        body.insert("hr_resize_y", height * 2);
        body.insert("hr_second_pass_steps", std::min(p.value("hrf_steps").toInt(steps), steps));
        if (!p.contains("denoising_strength"))
            body.insert("denoising_strength", kHiresDenoising);
        if (!firstPassBase64.isEmpty())
            body.insert("firstpass_image", firstPassBase64);
    } else if (width * height > kAutoHiresMaxPixels) {
        body.insert("width", (width + 1) / 2);
        body.insert("height", (height + 1) / 2);
        body.insert("enable_hr", true);
        body.insert("hr_resize_x", width);
        body.insert("hr_resize_y", height);
        body.insert("hr_second_pass_steps", std::min(steps, kAutoHiresMaxSteps));
        if (!p.contains("denoising_strength"))
            body.insert("denoising_strength", kHiresDenoising);
    }
    return body;
}

QJsonObject img2imgPayload(const QJsonObject &p, const QString &jobId) {
    QJsonObject body = common(p, jobId);
    body.insert("denoising_strength", p.value("denoising_strength").toDouble(0.75));
    // The inpainting settings the original always sends.
    body.insert("mask_blur", 4);
    body.insert("mask_blur_x", 4);
    body.insert("mask_blur_y", 4);
    body.insert("mask_round", true);
    body.insert("inpainting_fill", 1);
    body.insert("inpaint_full_res", 1);
    body.insert("inpaint_full_res_padding", 32);
    body.insert("inpainting_mask_invert", 0);
    body.insert("initial_noise_multiplier", 1);
    body.insert("image_cfg_scale", 1.5);
    // The images last: an insert after them would move their megabytes again.
    body.insert("init_images", QJsonArray{p.value("init_image")});
    const QString mask = p.value("mask").toString();
    if (!mask.isEmpty())
        body.insert("mask", mask);
    return body;
}

} // namespace nav::forge
