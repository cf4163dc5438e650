#pragma once
// Admin endpoints (role 3 and up, or SUPERUSER_ADMIN_TOKEN):
//   GET /api/admin/status  version, uptime, queue depth, backend reachability and loaded checkpoint,
//                          connected realtime clients, and who the caller is.
#include "server/api/AdminStatusService.h"
#include "server/auth/AuthService.h"
#include "server/http/HttpServer.h"

namespace nav::api {

void registerAdminQueueRoutes(http::HttpServer &server, auth::AuthService &auth, AdminStatusService &status);

} // namespace nav::api
