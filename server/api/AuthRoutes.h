#pragma once
// POST /api/auth/login {code} -> {token, user, role}.
#include "server/api/Route.h"

namespace nav::api {

void login(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
