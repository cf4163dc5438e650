#pragma once
// The signed-in user's own data (rows with role >= 1 in Routes.cpp; every query is scoped to the caller):
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
#include "server/api/Route.h"

namespace nav::api {

void getMe(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listMyImages(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void deleteMyImage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getImageMeta(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void setImageCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listCategories(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void createCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void renameCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void deleteCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
