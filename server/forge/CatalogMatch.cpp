#include "server/forge/CatalogMatch.h"

#include <QJsonObject>
#include <QStringList>

namespace nav::forge {

QString resolveSampler(const QString &requested, const QJsonArray &samplers) {
    for (const QJsonValue &entry : samplers) {
        const QJsonObject sampler = entry.toObject();
        if (sampler.value("name").toString() == requested)
            return requested;
        for (const QJsonValue &alias : sampler.value("aliases").toArray())
            if (alias.toString().compare(requested, Qt::CaseInsensitive) == 0)
                return sampler.value("name").toString();
    }
    return requested;
}

namespace {

// Forge's latent upscale modes: valid hr_upscaler values that GET /upscalers does not list.
const QStringList &latentModes() {
    static const QStringList modes = {
        QStringLiteral("Latent"),           QStringLiteral("Latent (antialiased)"),
        QStringLiteral("Latent (bicubic)"), QStringLiteral("Latent (bicubic antialiased)"),
        QStringLiteral("Latent (nearest)"), QStringLiteral("Latent (nearest-exact)"),
    };
    return modes;
}

bool lists(const QJsonArray &upscalers, const QString &name) {
    for (const QJsonValue &entry : upscalers)
        if (entry.toObject().value("name").toString() == name)
            return true;
    return false;
}

} // namespace

QString resolveUpscaler(const QString &requested, const QJsonArray &upscalers) {
    if (!requested.isEmpty() && (latentModes().contains(requested) || lists(upscalers, requested)))
        return requested;
    for (const char *preferred : {"4x_NMKD-Siax_200k", "RealESRGAN_x4", "R-ESRGAN 4x+"})
        if (lists(upscalers, QLatin1String(preferred)))
            return QLatin1String(preferred);
    for (const QJsonValue &entry : upscalers) {
        const QString name = entry.toObject().value("name").toString();
        if (!name.isEmpty() && name != QLatin1String("None"))
            return name;
    }
    return latentModes().first();
}

bool isKnownCheckpoint(const QString &name, const QJsonArray &checkpoints) {
    if (name.isEmpty())
        return false;
    for (const QJsonValue &entry : checkpoints) {
        const QJsonObject checkpoint = entry.toObject();
        for (const char *key : {"title", "model_name", "hash"})
            if (checkpoint.value(QLatin1String(key)).toString() == name)
                return true;
        // The title without its " [hash]" suffix is the file name, which Forge accepts as well.
        const QString title = checkpoint.value("title").toString();
        const qsizetype bracket = title.lastIndexOf(QStringLiteral(" ["));
        if (bracket > 0 && title.endsWith(QLatin1Char(']')) && title.left(bracket) == name)
            return true;
    }
    return false;
}

} // namespace nav::forge
