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
    store::JobInputs inputs;          // img2img's init_image and mask, outside `params` (see store::Job)
};

// Longest accepted strings (characters): prompt and negative_prompt; model, sampler, scheduler, upscaler and
// module names. At most kMaxModules modules.
constexpr int kMaxPromptLength = 20000;
constexpr int kMaxNameLength = 255;
constexpr int kMaxModules = 32;

struct RequestLimits {
    qint64 pixelLimit = 3'686'400;            // IMAGE_PIXEL_LIMIT: width * height of the output
    qint64 inputImagePixelLimit = 16'777'216; // INPUT_IMAGE_PIXEL_LIMIT: init_image and mask
};

// `taskType` is "txt2img" or "img2img".
std::variant<GenerationRequest, RequestError>
parseGenerationRequest(const QJsonObject &body, const QString &taskType, const RequestLimits &limits);

// A random job id like the original's: 8 hex characters.
QString newJobId();

} // namespace nav::api
