#include "server/api/BackendError.h"

namespace nav::api {

void answerBackendError(http::Responder &res, const forge::ForgeError &error) {
    const bool unreachable = error.httpStatus == 0 && error.code != QLatin1String("EBADRESPONSE");
    if (unreachable)
        res.error(502, QStringLiteral("The image backend is unavailable: ") + error.message,
                  QStringLiteral("BACKEND_UNAVAILABLE"));
    else
        res.error(502, QStringLiteral("The image backend failed: ") + error.message,
                  QStringLiteral("BACKEND_ERROR"));
}

} // namespace nav::api
