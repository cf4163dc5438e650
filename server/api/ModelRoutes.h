#pragma once
// Lookups a client needs before it builds a request: GET /api/models[?refresh=true] (Forge's checkpoints
// merged with the `models` table), /api/samplers[?all], /api/schedulers, /api/upscalers, /api/modules and
// /api/models/embeddings (answered from the Forge catalog).
#include "server/common/Broadcast.h"
#include "server/forge/ForgeCatalog.h"
#include "server/http/HttpServer.h"
#include "server/store/ModelRepository.h"

namespace nav::api {

void registerModelRoutes(http::HttpServer &server, forge::ForgeCatalog &catalog,
                         store::ModelRepository &models, common::Broadcast broadcast);

} // namespace nav::api
