// Fuzz target for reading Forge's infotext and png-info answer (server/api/UpscaleRequest): any text and
// any parameter values must give an upscale request or a 400, never a crash or an unbounded request.
#include "server/api/UpscaleRequest.h"
#include "tests/fuzz/FuzzCheck.h"

#include <QJsonObject>

using namespace nav;
using nav::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QString text = QString::fromUtf8(fuzz::bytesOf(data, size));
    // "Key: value, Key: value" as Forge writes its parameter line, also given as png-info's parameters.
    QJsonObject parameters;
    for (const QString &part : text.split(QStringLiteral(", "))) {
        const qsizetype colon = part.indexOf(QStringLiteral(": "));
        if (colon > 0)
            parameters.insert(part.left(colon).trimmed(), part.mid(colon + 2));
    }
    const QJsonObject pngInfo{{"info", text}, {"parameters", parameters}};
    const QJsonObject overrides{{"upscaler_name", text.left(300)},
                                {"denoising_strength", text.size() / 100.0}};
    for (const QJsonObject &extra : {QJsonObject{}, overrides}) {
        const auto result = api::buildUpscaleParams(pngInfo, extra, QStringLiteral("job"), 16'777'216);
        if (const auto *params = std::get_if<QJsonObject>(&result)) {
            const qint64 w = params->value("width").toInteger(), h = params->value("height").toInteger();
            check(w > 0 && h > 0 && 4 * w * h <= 16'777'216);
        } else {
            check(std::get<api::RequestError>(result).status == 400);
        }
    }
    return 0;
}
