#pragma once
// Media for clients that load plain URLs (no auth, as Compass's <img> tags need):
// GET/HEAD /api/images/:jobId[.png] (strong ETag, immutable caching, 304), GET /api/images/:jobId/info
// (Forge png-info with parameters.owner_id, cached in images.info_data64) and GET /api/previews/:jobId.
#include "server/api/Route.h"

namespace nav::api {

void getImage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getImageInfo(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getPreview(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
