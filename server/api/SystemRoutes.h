#pragma once
// GET / (liveness), GET /api/config/limits and GET /api/config/version.
#include "server/api/Route.h"

namespace nav::api {

void getRoot(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getLimits(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getVersion(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
