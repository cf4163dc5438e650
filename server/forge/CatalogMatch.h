#pragma once
// Checks of request fields against Forge's own lists (pure functions over the cached catalog, unit-tested).
#include <QJsonArray>
#include <QString>

namespace nav::forge {

// The sampler name to send for a requested one, given GET /samplers: the requested name when Forge lists it,
// the name of the sampler that has it as an alias (case-insensitive, e.g. "k_euler_a" -> "Euler a"), else
// the requested name unchanged (Forge falls back).
QString resolveSampler(const QString &requested, const QJsonArray &samplers);

// The hires upscaler to send for a requested name (empty: none requested), given GET /upscalers:
//  - the requested name when Forge lists it, or when it is one of Forge's latent modes ("Latent", ...);
//  - else the original's preferences, 4x_NMKD-Siax_200k then RealESRGAN_x4, then R-ESRGAN 4x+ (Forge's
//    built-in), whichever Forge lists first in that order;
//  - else the first upscaler Forge lists other than "None";
//  - else (an empty list) "Latent", which every Forge accepts.
// The result is never a name Forge would reject.
QString resolveUpscaler(const QString &requested, const QJsonArray &upscalers);

// Whether `name` is one of GET /sd-models' checkpoints, by the names /api/models shows: title, model_name or
// hash (or the title without its " [hash]" suffix, the file name Forge also accepts).
bool isKnownCheckpoint(const QString &name, const QJsonArray &checkpoints);

} // namespace nav::forge
