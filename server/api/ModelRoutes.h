#pragma once
// Lookups a client needs before it builds a request: GET /api/samplers[?all], /api/schedulers,
// /api/upscalers, /api/modules and /api/models/embeddings (answered from the Forge catalog).
#include "server/forge/ForgeCatalog.h"
#include "server/http/HttpServer.h"

namespace nav::api {

void registerModelRoutes(http::HttpServer &server, forge::ForgeCatalog &catalog);

} // namespace nav::api
