#include "server/api/UpscaleRequest.h"

#include <QRegularExpression>

#include <cmath>

namespace nav::api {

namespace {

// png-info values are strings ("512", "7.0"); a missing or unreadable one keeps `fallback`.
double numberOf(const QJsonObject &parameters, const char *key, double fallback) {
    const QJsonValue value = parameters.value(QLatin1String(key));
    bool ok = false;
    const double n = value.isDouble() ? value.toDouble() : value.toString().toDouble(&ok);
    return value.isDouble() || ok ? n : fallback;
}

// A size in pixels from png-info text; 0 (no size) when it is not a sane number. Casting a huge or NaN
// double to int is undefined behaviour, so the range is checked first.
int pixels(double value) {
    return std::isfinite(value) && value >= 0 && value <= 1'000'000 ? static_cast<int>(value) : 0;
}

} // namespace

std::variant<QJsonObject, RequestError> buildUpscaleParams(const QJsonObject &pngInfo,
                                                           const QJsonObject &overrides,
                                                           const QString &sourceJobId, qint64 pixelLimit) {
    const QJsonObject parameters = pngInfo.value("parameters").toObject();
    const QString infotext = pngInfo.value("info").toString();
    // The stored image is the first pass of the upscale, so its real size counts. "Size" in the infotext is
    // the first-pass size of the job that made it; a hires job's image is its "Hires resize" (or "Hires
    // upscale" times Size).
    int width = pixels(numberOf(parameters, "Size-1", 0));
    int height = pixels(numberOf(parameters, "Size-2", 0));
    const int hiresWidth = pixels(numberOf(parameters, "Hires resize-1", 0));
    const int hiresHeight = pixels(numberOf(parameters, "Hires resize-2", 0));
    const double hiresScale = numberOf(parameters, "Hires upscale", 0);
    if (hiresWidth > 0 && hiresHeight > 0) {
        width = hiresWidth;
        height = hiresHeight;
    } else if (hiresScale > 0) {
        width = pixels(width * hiresScale);
        height = pixels(height * hiresScale);
    }
    if (width <= 0 || height <= 0)
        return RequestError{400, QStringLiteral("The stored image has no size in its parameters"),
                            QStringLiteral("IMAGE_PARAMETERS_MISSING")};
    if (qint64(2 * width) * (2 * height) > pixelLimit)
        return RequestError{400, QStringLiteral("Image is too large to upscale"),
                            QStringLiteral("PIXEL_LIMIT_EXCEEDED")};
    // png-info drops "Model" when it matches the loaded checkpoint, so read it from the raw infotext.
    static const QRegularExpression modelPattern(QStringLiteral("Model: ([^,\\n]+)"));
    QString model = modelPattern.match(infotext).captured(1).trimmed();
    if (model.isEmpty())
        model = parameters.value("Model").toString();
    if (model.isEmpty())
        return RequestError{400, QStringLiteral("The stored image does not say which checkpoint made it"),
                            QStringLiteral("IMAGE_PARAMETERS_MISSING")};
    QJsonArray modules;
    static const QRegularExpression modulePattern(QStringLiteral("Module \\d+: ([^,\\n]+)"));
    for (auto it = modulePattern.globalMatch(infotext); it.hasNext();)
        modules.append(it.next().captured(1).trimmed() + QStringLiteral(".safetensors"));

    const double stepsValue = numberOf(parameters, "Steps", 20);
    const int steps = std::isfinite(stepsValue) ? static_cast<int>(qBound(1.0, stepsValue, 150.0)) : 20;
    QJsonObject p{
        {"model_name", model},
        {"prompt", parameters.value("Prompt").toString()},
        {"negative_prompt", parameters.value("Negative prompt").toString()},
        {"width", width},
        {"height", height},
        {"steps", steps},
        {"seed", numberOf(parameters, "Seed", -1)},
        {"cfg_scale", numberOf(parameters, "CFG scale", 7)},
        {"distilled_cfg", numberOf(parameters, "Distilled CFG Scale", 3.5)},
        {"sampler_name", parameters.value("Sampler").toString(QStringLiteral("DPM++ 2M"))},
        {"scheduler_name", parameters.value("Schedule type").toString(QStringLiteral("automatic"))},
        {"modules", modules},
        {"force_hr_fix", true},
        {"hrf_steps", steps},
        {"image_enhancements", parameters.value("freeu_enabled").toString() == QLatin1String("True") ||
                                   parameters.value("sag_enabled").toString() == QLatin1String("True")},
        {"source_image", sourceJobId},
    };
    if (parameters.contains("Variation seed")) {
        p.insert("subseed", numberOf(parameters, "Variation seed", -1));
        p.insert("subseed_strength", numberOf(parameters, "Variation seed strength", 0));
    }
    // Optional overrides from the request body, validated like a new request.
    if (overrides.contains("upscaler_name")) {
        if (!overrides.value("upscaler_name").isString() ||
            overrides.value("upscaler_name").toString().size() > kMaxNameLength)
            return RequestError{
                400,
                QStringLiteral("upscaler_name must be a string of at most %1 characters").arg(kMaxNameLength),
                QStringLiteral("INVALID_PARAMETER")};
        p.insert("upscaler_name", overrides.value("upscaler_name"));
    }
    if (overrides.contains("denoising_strength")) {
        const double d = overrides.value("denoising_strength").toDouble(-1);
        if (!overrides.value("denoising_strength").isDouble() || d < 0 || d > 1)
            return RequestError{400, QStringLiteral("denoising_strength must be a number from 0 to 1"),
                                QStringLiteral("INVALID_PARAMETER")};
        p.insert("denoising_strength", d);
    }
    if (overrides.contains("hrf_steps")) {
        const double s = overrides.value("hrf_steps").toDouble(-1);
        if (!overrides.value("hrf_steps").isDouble() || s < 1 || s > 150 || s != int(s))
            return RequestError{400, QStringLiteral("hrf_steps must be a whole number from 1 to 150"),
                                QStringLiteral("INVALID_PARAMETER")};
        p.insert("hrf_steps", s);
    }
    return p;
}

} // namespace nav::api
