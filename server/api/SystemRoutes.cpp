#include "server/api/SystemRoutes.h"

#include "server/config/Config.h"

#include "GitVersion.h" // generated at build time by cmake/GitVersion.cmake

#include <QJsonObject>

namespace nav::api {

void getRoot(Services &, const http::Request &, http::Responder res, const auth::Caller &) {
    res.json(200, QJsonObject{{"message", "Hello World!"}, {"status", "online"}});
}

void getLimits(Services &s, const http::Request &, http::Responder res, const auth::Caller &) {
    res.json(200, QJsonObject{{"max_pixels", static_cast<double>(s.config->imagePixelLimit)}});
}

void getVersion(Services &, const http::Request &, http::Responder res, const auth::Caller &) {
    res.json(200, QJsonObject{{"branch", NAVIGATOR_GIT_BRANCH}, {"commit", NAVIGATOR_GIT_COMMIT}});
}

} // namespace nav::api
