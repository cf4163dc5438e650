// Fuzz target for generation-request validation (server/api/GenerationRequest and ImageProbe): any JSON body
// gives a request within every documented limit, or a 400 that names a problem. The bytes are also probed
// as an uploaded image.
#include "server/api/GenerationRequest.h"
#include "server/api/ImageProbe.h"
#include "tests/fuzz/FuzzCheck.h"

#include <QJsonDocument>

using namespace nav;
using nav::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QByteArray input = fuzz::bytesOf(data, size);
    if (const auto info = api::probeImage(input))
        check(info->width > 0 && info->height > 0);
    (void)api::decodeBase64Image(QString::fromLatin1(input));

    const QJsonObject body = QJsonDocument::fromJson(input).object();
    const api::RequestLimits limits{1'048'576, 1'048'576};
    for (const char *task : {"txt2img", "img2img"}) {
        const auto result = api::parseGenerationRequest(body, QString::fromLatin1(task), limits);
        if (const auto *error = std::get_if<api::RequestError>(&result)) {
            check(error->status == 400 && !error->message.isEmpty() && !error->code.isEmpty());
            continue;
        }
        const QJsonObject &p = std::get<api::GenerationRequest>(result).params;
        check(p.value("model_name").toString().size() <= api::kMaxNameLength);
        check(p.value("prompt").toString().size() <= api::kMaxPromptLength);
        check(p.value("width").toInteger() * p.value("height").toInteger() <= limits.pixelLimit);
        check(p.value("modules").toArray().size() <= api::kMaxModules);
    }
    return 0;
}
