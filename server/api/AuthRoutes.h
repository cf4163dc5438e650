#pragma once
// POST /api/auth/login {code} -> {token, user, role}.
#include "server/auth/LoginService.h"
#include "server/http/HttpServer.h"

namespace nav::api {

void registerAuthRoutes(http::HttpServer &server, auth::LoginService &login);

} // namespace nav::api
