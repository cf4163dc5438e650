#pragma once
// Lookups a client needs before it builds a request: GET /api/models[?refresh=true] (Forge's checkpoints
// merged with the `models` table), /api/samplers[?all], /api/schedulers, /api/upscalers, /api/modules and
// /api/models/embeddings (answered from the Forge catalog). refresh=true makes Forge rescan its checkpoints
// only for a caller of role 2 or more, at most once per MODEL_REFRESH_INTERVAL; everyone else gets the cached
// answer.
#include "server/auth/AuthService.h"
#include "server/common/Broadcast.h"
#include "server/forge/ForgeCatalog.h"
#include "server/http/HttpServer.h"
#include "server/store/ModelRepository.h"

namespace nav::api {

void registerModelRoutes(http::HttpServer &server, auth::AuthService &auth, forge::ForgeCatalog &catalog,
                         store::ModelRepository &models, common::Broadcast broadcast,
                         qint64 refreshIntervalMs);

} // namespace nav::api
