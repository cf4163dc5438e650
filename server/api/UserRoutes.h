#pragma once
// The signed-in user's own data (all routes need role >= 1; every query is scoped to the caller):
//   GET    /api/user/me                     {user:{discord_id, role, iat, exp}}
//   GET    /api/user/jobs?page&limit&category_id   {count, totalPages, currentPage, previousPage, nextPage,
//                                                   images:[{id, category_id}]}
//   DELETE /api/user/image/:id              204 (404 when not the caller's)
//   GET    /api/user/image/:id/meta         {category_id, created_at, message_id, owner_id}; 404 / 403
//   PUT    /api/user/image/:id/category     {categoryId} (0: none) -> 204
//   GET    /api/user/categories             [{id, owner_id, name}]
//   POST   /api/user/category               {name} -> {id}
//   PATCH  /api/user/category/:id           {name} -> 204
//   DELETE /api/user/category/:id           204
#include "server/auth/AuthService.h"
#include "server/http/HttpServer.h"
#include "server/store/CategoryRepository.h"
#include "server/store/ImageRepository.h"

namespace nav::api {

struct UserRoutesDeps {
    auth::AuthService &auth;
    store::ImageRepository &images;
    store::CategoryRepository &categories;
};

void registerUserRoutes(http::HttpServer &server, const UserRoutesDeps &deps);

} // namespace nav::api
