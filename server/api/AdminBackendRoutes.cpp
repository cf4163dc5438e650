#include "server/api/AdminBackendRoutes.h"

#include "server/queue/JobQueue.h"
#include "shared/api/Backend.h"

#include <QJsonArray>

namespace nav::api {

namespace {

// pause, resume or drain the backend named in the path; 404 BACKEND_NOT_FOUND for an unknown name.
void act(Services &s, const http::Request &req, http::Responder &res,
         void (queue::BackendWorker::*action)()) {
    queue::BackendWorker *worker = s.queue->backend(req.param("name"));
    if (!worker)
        return res.error(404,
                         QStringLiteral("No backend named \"%1\"; GET /api/admin/backends lists them")
                             .arg(req.param("name")),
                         QStringLiteral("BACKEND_NOT_FOUND"));
    (worker->*action)();
    res.json(200, QJsonObject{{"backend", backendJson(*worker, s.queue->runningOn(*worker))}});
}

} // namespace

QJsonObject backendJson(const queue::BackendWorker &worker, const std::optional<store::Job> &running) {
    Backend backend;
    backend.name = worker.name();
    backend.url = worker.client()->sdApiHost().toString(QUrl::RemoveUserInfo);
    backend.state = queue::BackendWorker::stateName(worker.state());
    backend.reachable = worker.reachable();
    backend.loadedCheckpoint = worker.loadedModel();
    if (const auto &job = running)
        backend.runningJob = Backend::RunningJob{job->id, job->ownerId, job->modelName, job->startedAt};
    backend.jobsDone = worker.jobsDone();
    backend.jobsFailed = worker.jobsFailed();
    backend.lastError = worker.lastError();
    backend.firstpassPatch = queue::firstPassPatchName(worker.firstPassPatch());
    return backend.toJson();
}

void getAdminBackends(Services &s, const http::Request &, http::Responder res, const auth::Caller &) {
    QJsonArray list;
    for (const queue::BackendWorker *worker : s.queue->backends())
        list.append(backendJson(*worker, s.queue->runningOn(*worker)));
    res.json(200, QJsonObject{{"backends", list}});
}

void pauseBackend(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    act(s, req, res, &queue::BackendWorker::pause);
}

void resumeBackend(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    act(s, req, res, &queue::BackendWorker::resume);
}

void drainBackend(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    act(s, req, res, &queue::BackendWorker::drain);
}

void promoteJob(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString id = req.param("jobId");
    if (!s.queue->promote(id))
        return res.error(404, QStringLiteral("Job %1 is not waiting in the queue").arg(id),
                         QStringLiteral("JOB_NOT_WAITING"));
    res.json(200, QJsonObject{{"job_id", id}, {"position", s.queue->position(id)}});
}

} // namespace nav::api
