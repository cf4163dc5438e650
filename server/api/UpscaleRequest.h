#pragma once
// The parameters of an "upscale-hrf" job, rebuilt from Forge's png-info answer for the stored image (pure,
// unit-tested): the same prompt, seed, sampler, size and checkpoint, with hires fix at 2x and the stored
// image as the first pass. Overrides: upscaler_name, denoising_strength, hrf_steps.
#include "server/api/GenerationRequest.h"

namespace nav::api {

std::variant<QJsonObject, RequestError> buildUpscaleParams(const QJsonObject &pngInfo,
                                                           const QJsonObject &overrides,
                                                           const QString &sourceJobId, qint64 pixelLimit);

} // namespace nav::api
