#pragma once
// What the instance did, for admins (role 3 and up, or SUPERUSER_ADMIN_TOKEN). All three read the jobs table.
//   GET /api/admin/history?page=&limit=&user=&status=&backend=&since=&until=
//       Ended jobs (finished, failed, interrupted), newest end first, `limit` per page (default 50, max 200),
//       with the pagination fields of /api/admin/users. user: owner id; status: finished|failed|interrupted
//       (400 INVALID_STATUS otherwise); since/until: ISO 8601 date or date-time, ended at or after / before
//       (400 INVALID_SINCE / INVALID_UNTIL). Each job: job_id, owner_id, owner_name, task_type, status,
//       model_name, prompt, negative_prompt, width, height, steps, seed, backend, attempts, submitted_at,
//       started_at, finished_at, duration_seconds (null if it never started), error ({code, message} or
//       null).
//   GET /api/admin/usage?window=24h|7d|30d   (default 24h; 400 INVALID_WINDOW otherwise)
//       {"window", "since", "until", "totals": {jobs, finished, failed, interrupted, gpu_seconds},
//        "users": [{owner_id, owner_name, jobs, finished, failed, interrupted, gpu_seconds, last_seen}],
//        "per_hour": [{hour, jobs, failed}]} counting jobs submitted in the window, aggregated in SQL.
//   GET /api/admin/activity?minutes=N        (1..1440, default 60; 400 INVALID_MINUTES otherwise)
//       {"interval_seconds": 60, "points": [{minute, queued, running, submitted, finished, failed,
//        interrupted}]}, oldest first; the last point is the current minute.
// Owner names come from Services::ownerNames (null without it).
#include "server/api/Route.h"

namespace nav::api {

constexpr int kMaxActivityMinutes = 1440;

void getAdminHistory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getAdminUsage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getAdminActivity(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
