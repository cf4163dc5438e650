#include "server/api/SystemRoutes.h"

#include "GitVersion.h" // generated at build time by cmake/GitVersion.cmake

#include <QJsonObject>

namespace nav::api {

void registerSystemRoutes(http::HttpServer &server, const config::Config &config) {
    server.get("/", [](const http::Request &, http::Responder res) {
        res.json(200, QJsonObject{{"message", "Hello World!"}, {"status", "online"}});
    });
    const double maxPixels = static_cast<double>(config.imagePixelLimit);
    server.get("/api/config/limits", [maxPixels](const http::Request &, http::Responder res) {
        res.json(200, QJsonObject{{"max_pixels", maxPixels}});
    });
    server.get("/api/config/version", [](const http::Request &, http::Responder res) {
        res.json(200, QJsonObject{{"branch", NAVIGATOR_GIT_BRANCH}, {"commit", NAVIGATOR_GIT_COMMIT}});
    });
}

} // namespace nav::api
