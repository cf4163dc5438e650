#pragma once
// GET /api/models/loras?forge_only&force_update_metadata (signed in; forcing needs role 2+) and
// POST /api/models/loras/override/:hash (role 3+).
#include "server/api/Route.h"

namespace nav::api {

void listLoras(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void setLoraOverride(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
