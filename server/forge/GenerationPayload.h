#pragma once
// Builds the Forge request bodies from a job's normalised parameters (pure functions, unit-tested).
// The rules follow the original Navigator and Forge's /sdapi/v1 txt2img/img2img API:
//  - force_hr_fix: hires fix at 2x, hr_second_pass_steps = min(hrf_steps, steps), denoising 0.35 by default;
//  - above 1024x1024 pixels: generate at half size (rounded up) with hires fix to the requested size and at
//    most 30 hires steps;
//  - the checkpoint and modules go in override_settings (kept after the job), force_task_id is
//    navigator-<job id>, save_images is false;
//  - image_enhancements adds the FreeU and SAG always-on scripts; an upscale sends the stored image as
//    firstpass_image (patched Forge).
#include <QJsonObject>
#include <QString>

namespace nav::forge {

// The hires upscaler used when the request names none (a Forge built-in; the original's "RealESRGAN_x4"
// is not a Forge upscaler name).
inline const QString kDefaultHiresUpscaler = QStringLiteral("R-ESRGAN 4x+");

QString taskIdFor(const QString &jobId);

QJsonObject txt2imgPayload(const QJsonObject &params, const QString &jobId,
                           const QString &firstPassBase64 = {});
QJsonObject img2imgPayload(const QJsonObject &params, const QString &jobId);

// The FreeU + SAG settings the original sends for image_enhancements.
QJsonObject enhancementScripts();

} // namespace nav::forge
