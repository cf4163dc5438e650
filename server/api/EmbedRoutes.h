#pragma once
// GET /embed/:jobId: the HTML page Discord reads for a job's link preview (404 for an unknown job).
#include "server/api/Route.h"

namespace nav::api {

void getEmbedPage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
