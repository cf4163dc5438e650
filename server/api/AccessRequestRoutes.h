#pragma once
// Access requests of people refused at login (role >= 3 on every route):
//   GET  /api/admin/access-requests?status=pending|denied|approved|all&page&limit
//        {count, totalPages, currentPage, previousPage, nextPage, requests:[request]}, latest attempt first
//   POST /api/admin/access-requests/:discordId/approve {role: 1|2}  the updated request
//   POST /api/admin/access-requests/:discordId/deny                 the updated request
// A request: {discord_id, name, username, global_name, avatar, status, attempts, first_attempt_at,
// last_attempt_at, decided_at, decided_by}.
#include "server/api/Route.h"

namespace nav::api {

void listAccessRequests(Services &s, const http::Request &req, http::Responder res,
                        const auth::Caller &caller);
void approveAccessRequest(Services &s, const http::Request &req, http::Responder res,
                          const auth::Caller &caller);
void denyAccessRequest(Services &s, const http::Request &req, http::Responder res,
                       const auth::Caller &caller);

} // namespace nav::api
