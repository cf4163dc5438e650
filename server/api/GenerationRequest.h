#pragma once
// Validation and normalisation of txt2img / img2img request bodies (pure, unit-tested). The result is the
// job's `params` object with every default filled in, in the types the payload builders expect. Errors name
// the field: 400 for a wrong type or range, "Missing required parameters" for a missing model or prompt, and
// the pixel limit.
#include "server/store/Job.h"

#include <QJsonArray>
#include <QJsonObject>
#include <variant>

namespace nav::api {

struct RequestError {
    int status = 400;
    QString message;
    QString code;
};

struct GenerationRequest {
    QJsonObject params;
    QString jobId;                    // chosen by the client, or generated
    std::optional<qint64> categoryId; // to check for ownership
    QString initImageJobId;           // img2img with init_image "NAVIGATOR_<jobId>": load that stored image
};

// `taskType` is "txt2img" or "img2img".
std::variant<GenerationRequest, RequestError>
parseGenerationRequest(const QJsonObject &body, const QString &taskType, qint64 pixelLimit);

// A random job id like the original's: 8 hex characters.
QString newJobId();

// The sampler name for a name or alias from Forge's /samplers list; unknown values are kept (Forge falls
// back).
QString resolveSampler(const QString &requested, const QJsonArray &samplers);

} // namespace nav::api
