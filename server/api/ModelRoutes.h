#pragma once
// Lookups a client needs before it builds a request: GET /api/models[?refresh=true] (Forge's checkpoints
// merged with the `models` table), /api/samplers[?all], /api/schedulers, /api/upscalers, /api/modules and
// /api/models/embeddings (answered from the Forge catalog). refresh=true makes Forge rescan its checkpoints
// only for a caller of role 2 or more, at most once per MODEL_REFRESH_INTERVAL (Services::modelRefresh);
// everyone else gets the cached answer.
#include "server/api/Route.h"

namespace nav::api {

void listModels(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listSamplers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listSchedulers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listUpscalers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listModules(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listEmbeddings(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
