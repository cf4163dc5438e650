#pragma once
// Backend and dispatch control for admins (role 3 and up, or SUPERUSER_ADMIN_TOKEN):
//   GET  /api/admin/backends                 {"backends": [backend, ...]} in SD_API_HOST order
//   POST /api/admin/backends/:name/pause     stop giving the backend jobs (the running one finishes)
//   POST /api/admin/backends/:name/resume    take jobs again (probed first if it was down)
//   POST /api/admin/backends/:name/drain     finish the running job, then pause
//        each answers {"backend": backend}; 404 BACKEND_NOT_FOUND for an unknown name
//   POST /api/admin/queue/:jobId/promote     move a waiting job to the front of the dispatch order:
//        {"job_id", "position": 1}; 404 JOB_NOT_WAITING if it is not waiting
// A backend: {"name": "host:port", "url": SD_API_HOST entry without credentials,
//   "state": "up"|"down"|"paused"|"draining", "reachable": bool, "loaded_checkpoint": string|null,
//   "running_job": {"job_id", "owner_id", "model_name", "started_at"}|null, "jobs_done": n, "jobs_failed": n,
//   "last_error": string|null, "firstpass_patch": "unknown"|"patched"|"unpatched"}. The same object is sent
//   to admin sockets as the "backend-state" event whenever a backend's state changes.
#include "server/api/Route.h"
#include "server/queue/BackendWorker.h"

#include <QJsonObject>

namespace nav::api {

// `running`: the job to show as running on it (JobQueue::runningOn, which leaves out a job whose row is not
// in the database yet).
QJsonObject backendJson(const queue::BackendWorker &worker, const std::optional<store::Job> &running);

void getAdminBackends(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void pauseBackend(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void resumeBackend(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void drainBackend(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void promoteJob(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
