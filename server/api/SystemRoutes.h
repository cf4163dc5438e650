#pragma once
// GET / (liveness), GET /api/config/limits and GET /api/config/version.
#include "server/config/Config.h"
#include "server/http/HttpServer.h"

namespace nav::api {

void registerSystemRoutes(http::HttpServer &server, const config::Config &config);

} // namespace nav::api
