#pragma once
// Media for clients that load plain URLs (no auth, as Compass's <img> tags need):
// GET/HEAD /api/images/:jobId[.png] (strong ETag, immutable caching, 304), GET /api/images/:jobId/info
// (Forge png-info with parameters.owner_id, cached in images.info_data64) and GET /api/previews/:jobId.
#include "server/forge/ForgeClient.h"
#include "server/http/HttpServer.h"
#include "server/queue/JobQueue.h"
#include "server/store/JobRepository.h"

namespace nav::api {

void registerImageRoutes(http::HttpServer &server, store::JobRepository &jobs, queue::JobQueue &queue,
                         forge::ForgeClient &forge);

} // namespace nav::api
