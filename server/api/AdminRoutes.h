#pragma once
// User administration (role >= 3 on every route):
//   GET /api/admin/authorize-user/:discordId  (original) -> {message, discord_id[, user]}
//   GET /api/admin/disable-user/:discordId    (original) -> {message, discord_id}
//   GET /api/admin/users?page&limit           {count, totalPages, currentPage, previousPage, nextPage,
//                                              users:[{id, role, created_at, updated_at, image_count,
//                                              name, username, global_name, avatar, last_login_at}]}
//   GET /api/admin/users/:id                  one user, 404 if unknown
//   PUT /api/admin/users/:id/role {role}      the updated user
#include "server/auth/AuthService.h"
#include "server/auth/UserAdministration.h"
#include "server/http/HttpServer.h"
#include "server/store/UserRepository.h"

namespace nav::api {

struct AdminRoutesDeps {
    auth::AuthService &auth;
    auth::UserAdministration &administration;
    store::UserRepository &users;
};

void registerAdminRoutes(http::HttpServer &server, const AdminRoutesDeps &deps);

} // namespace nav::api
