#pragma once
// Admin endpoints (role 3 and up, or SUPERUSER_ADMIN_TOKEN):
//   GET /api/admin/status                version, uptime, queue depth, backend reachability and loaded
//                                        checkpoint, connected realtime clients, and who the caller is.
//   GET /api/admin/queue[?include_recent=N]
//       {"jobs": [...queued and running...], "recent": [...N newest ended...], "queue_depth", "running"}
//       Each job is an api::AdminQueueJob (shared/api/AdminQueueJob.h): job_id, owner_id, owner_name,
//       task_type, status, model_name, prompt, width, height, steps, position, progress, eta_relative,
//       current_step, total_steps, submitted_at, started_at, finished_at, error. N is 0..kMaxRecent (400
//       INVALID_INCLUDE_RECENT otherwise); without it "recent" is empty.
#include "server/api/AdminQueueSource.h"
#include "server/api/Route.h"

#include <QJsonObject>

namespace nav::api {

constexpr int kMaxRecent = 200;

void getAdminStatus(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
// Answers 503 while Services::adminQueue is null (no job queue wired); owner_name is always null while
// Services::ownerNames is empty.
void getAdminQueue(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
