#pragma once
// User administration (rows with role >= 3 in Routes.cpp):
//   GET /api/admin/authorize-user/:discordId  (original) -> {message, discord_id[, user]}
//   GET /api/admin/disable-user/:discordId    (original) -> {message, discord_id}
//   GET /api/admin/users?page&limit           {count, totalPages, currentPage, previousPage, nextPage,
//                                              users:[{id, role, created_at, updated_at, image_count,
//                                              name, username, global_name, avatar, last_login_at}]}
//   GET /api/admin/users/:id                  one user, 404 if unknown
//   PUT /api/admin/users/:id/role {role}      the updated user
#include "server/api/Route.h"

namespace nav::api {

void authorizeUser(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void disableUser(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listUsers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getUser(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void setUserRole(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
