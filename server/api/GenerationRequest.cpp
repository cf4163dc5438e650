#include "server/api/GenerationRequest.h"

#include "server/api/ImageProbe.h"

#include <QRandomGenerator>
#include <QRegularExpression>

#include <cmath>

namespace nav::api {

namespace {

constexpr qint64 kMaxSeed = 4294967295LL;

class Reader {
public:
    explicit Reader(const QJsonObject &body) : m_body(body) {}

    bool present(const char *key) const {
        const QJsonValue v = m_body.value(QLatin1String(key));
        return !v.isUndefined() && !v.isNull();
    }

    // Numbers may arrive as JSON numbers or numeric strings (upscales replay png-info strings).
    std::optional<double> number(const char *key, double min, double max, bool integer) {
        const QJsonValue v = m_body.value(QLatin1String(key));
        double value = 0;
        bool ok = false;
        if (v.isDouble()) {
            value = v.toDouble();
            ok = true;
        } else if (v.isString()) {
            value = v.toString().trimmed().toDouble(&ok);
        }
        if (!ok || !std::isfinite(value) || (integer && value != std::floor(value)) || value < min ||
            value > max) {
            fail(QStringLiteral("%1 must be %2 from %3 to %4")
                     .arg(QLatin1String(key),
                          integer ? QStringLiteral("a whole number") : QStringLiteral("a number"))
                     .arg(min)
                     .arg(max));
            return std::nullopt;
        }
        return value;
    }

    std::optional<QString> string(const char *key, int maxLength) {
        const QJsonValue v = m_body.value(QLatin1String(key));
        if (!v.isString() || v.toString().size() > maxLength) {
            fail(QStringLiteral("%1 must be a string of at most %2 characters")
                     .arg(QLatin1String(key))
                     .arg(maxLength));
            return std::nullopt;
        }
        return v.toString();
    }

    std::optional<bool> boolean(const char *key) {
        const QJsonValue v = m_body.value(QLatin1String(key));
        if (v.isBool())
            return v.toBool();
        if (v.isString() && (v.toString() == "true" || v.toString() == "false"))
            return v.toString() == "true";
        fail(QStringLiteral("%1 must be true or false").arg(QLatin1String(key)));
        return std::nullopt;
    }

    void fail(const QString &message) {
        if (!m_error)
            m_error = RequestError{400, message, QStringLiteral("INVALID_PARAMETER")};
    }
    const std::optional<RequestError> &error() const { return m_error; }

private:
    const QJsonObject &m_body;
    std::optional<RequestError> m_error;
};

// An uploaded image must be base64 of a PNG, JPEG or WebP whose header gives a size within the limit.
bool checkImage(Reader &r, const char *key, const QString &text, qint64 pixelLimit) {
    const auto bytes = decodeBase64Image(text);
    const auto info = bytes ? probeImage(*bytes) : std::nullopt;
    if (!info) {
        r.fail(QStringLiteral("%1 must be a base64 PNG, JPEG or WebP image%2")
                   .arg(QLatin1String(key), qstrcmp(key, "init_image") == 0
                                                ? QStringLiteral(" or NAVIGATOR_<jobId>")
                                                : QString()));
        return false;
    }
    if (qint64(info->width) * info->height > pixelLimit) {
        r.fail(QStringLiteral("%1 is %2x%3 pixels; at most %4 pixels are accepted (INPUT_IMAGE_PIXEL_LIMIT)")
                   .arg(QLatin1String(key))
                   .arg(info->width)
                   .arg(info->height)
                   .arg(pixelLimit));
        return false;
    }
    return true;
}

} // namespace

QString newJobId() {
    return QString::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, '0');
}

std::variant<GenerationRequest, RequestError>
parseGenerationRequest(const QJsonObject &body, const QString &taskType, const RequestLimits &limits) {
    const qint64 pixelLimit = limits.pixelLimit;
    Reader r(body);
    const bool img2img = taskType == QLatin1String("img2img");
    // Absent, null or empty is "missing" (the original's message); present with another type names the field.
    const auto missing = [&](const char *key) {
        const QJsonValue v = body.value(QLatin1String(key));
        return v.isUndefined() || v.isNull() || (v.isString() && v.toString().trimmed().isEmpty());
    };
    QStringList absent;
    for (const char *key : {"model_name", "prompt", "init_image"})
        if (missing(key) && (img2img || qstrcmp(key, "init_image") != 0))
            absent << QLatin1String(key);
    if (!absent.isEmpty()) // the original's message, followed by the fields
        return RequestError{400, QStringLiteral("Missing required parameters: %1").arg(absent.join(", ")),
                            QStringLiteral("MISSING_PARAMETERS")};
    for (const char *key : {"model_name", "prompt", "init_image"})
        if (body.contains(QLatin1String(key)) && !body.value(QLatin1String(key)).isString())
            return RequestError{400, QStringLiteral("%1 must be a string").arg(QLatin1String(key)),
                                QStringLiteral("INVALID_PARAMETER")};

    GenerationRequest request;
    QJsonObject &p = request.params;
    if (auto model = r.string("model_name", kMaxNameLength))
        p.insert("model_name", model->trimmed());
    if (auto prompt = r.string("prompt", kMaxPromptLength))
        p.insert("prompt", *prompt);
    p.insert("negative_prompt", QString());
    if (r.present("negative_prompt"))
        if (auto negative = r.string("negative_prompt", kMaxPromptLength))
            p.insert("negative_prompt", *negative);

    request.jobId = newJobId();
    if (r.present("job_id")) {
        static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
        const QString id = body.value("job_id").toString();
        if (!idPattern.match(id).hasMatch())
            r.fail(QStringLiteral("job_id must be 1 to 64 letters, digits, '-' or '_'"));
        request.jobId = id;
    }

    const auto integer = [&](const char *key, double fallback, double min, double max) {
        if (!r.present(key)) {
            p.insert(QLatin1String(key), fallback);
            return;
        }
        if (auto v = r.number(key, min, max, true))
            p.insert(QLatin1String(key), *v);
    };
    const auto real = [&](const char *key, std::optional<double> fallback, double min, double max) {
        if (!r.present(key)) {
            if (fallback)
                p.insert(QLatin1String(key), *fallback);
            return;
        }
        if (auto v = r.number(key, min, max, false))
            p.insert(QLatin1String(key), *v);
    };
    integer("width", 512, 64, 16384);
    integer("height", 512, 64, 16384);
    integer("steps", 50, 1, 150);
    integer("seed", -1, -1, kMaxSeed);
    real("cfg_scale", 7.0, 0, 100);
    real("distilled_cfg", 3.5, 0, 100);
    real("denoising_strength", img2img ? std::optional(0.75) : std::nullopt, 0, 1);
    if (r.present("hrf_steps"))
        integer("hrf_steps", 0, 1, 150);
    if (r.present("subseed"))
        integer("subseed", -1, -1, kMaxSeed);
    if (r.present("subseed_strength"))
        real("subseed_strength", std::nullopt, 0, 1);
    for (const char *key : {"sampler_name", "scheduler_name", "upscaler_name"}) {
        if (r.present(key))
            if (auto v = r.string(key, kMaxNameLength))
                p.insert(QLatin1String(key), *v);
    }
    if (!p.contains("sampler_name"))
        p.insert("sampler_name", QStringLiteral("DPM++ 2M"));
    if (!p.contains("scheduler_name"))
        p.insert("scheduler_name", QStringLiteral("automatic"));
    for (const char *key : {"force_hr_fix", "image_enhancements"}) {
        p.insert(QLatin1String(key), false);
        if (r.present(key))
            if (auto v = r.boolean(key))
                p.insert(QLatin1String(key), *v);
    }
    QJsonArray modules;
    if (r.present("modules")) {
        const QJsonValue value = body.value("modules");
        if (!value.isArray())
            r.fail(QStringLiteral("modules must be an array of module names"));
        if (value.toArray().size() > kMaxModules)
            r.fail(QStringLiteral("modules may name at most %1 modules").arg(kMaxModules));
        for (const QJsonValue &module : value.toArray()) {
            if (!module.isString() || module.toString().size() > kMaxNameLength)
                r.fail(QStringLiteral("modules must be an array of module names of at most %1 characters")
                           .arg(kMaxNameLength));
            modules.append(module);
        }
    }
    p.insert("modules", modules);
    if (r.present("categoryId")) {
        if (auto id = r.number("categoryId", 0, 9.0e15, true); id && *id > 0)
            request.categoryId = static_cast<qint64>(*id);
    }
    if (img2img) {
        const QString init = body.value("init_image").toString();
        if (init.startsWith(QStringLiteral("NAVIGATOR_")))
            request.initImageJobId = init.mid(10);
        else if (checkImage(r, "init_image", init, limits.inputImagePixelLimit))
            request.inputs.initImage = init;
        // An empty mask means none (Compass sends "" when nothing was painted).
        if (r.present("mask"))
            if (auto mask = r.string("mask", INT_MAX);
                mask && !mask->isEmpty() && checkImage(r, "mask", *mask, limits.inputImagePixelLimit))
                request.inputs.mask = *mask;
    }
    if (r.error())
        return *r.error();

    const qint64 pixels =
        static_cast<qint64>(p.value("width").toDouble()) * static_cast<qint64>(p.value("height").toDouble());
    if (pixels > pixelLimit)
        return RequestError{
            400, QStringLiteral("The total value of (Width * Height) must not exceed %1").arg(pixelLimit),
            QStringLiteral("PIXEL_LIMIT_EXCEEDED")};
    return request;
}

} // namespace nav::api
