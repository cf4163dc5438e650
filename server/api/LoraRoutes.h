#pragma once
// GET /api/models/loras?forge_only&force_update_metadata (signed in; forcing needs role 2+) and
// POST /api/models/loras/override/:hash (role 3+).
#include "server/auth/AuthService.h"
#include "server/http/HttpServer.h"
#include "server/loras/LoraService.h"

namespace nav::api {

void registerLoraRoutes(http::HttpServer &server, auth::AuthService &auth, loras::LoraService &loras);

} // namespace nav::api
