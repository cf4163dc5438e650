#include "server/api/AdminBackendRoutes.h"

#include <QJsonArray>

namespace nav::api {

QJsonObject backendJson(const queue::BackendWorker &worker) {
    QJsonValue running = QJsonValue::Null;
    if (const auto &job = worker.current())
        running =
            QJsonObject{{"job_id", job->id},
                        {"owner_id", job->ownerId},
                        {"model_name", job->modelName},
                        {"started_at", job->startedAt.isValid()
                                           ? QJsonValue(job->startedAt.toUTC().toString(Qt::ISODateWithMs))
                                           : QJsonValue(QJsonValue::Null)}};
    const auto orNull = [](const QString &text) {
        return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
    };
    return QJsonObject{
        {"name", worker.name()},
        {"url", worker.client()->sdApiHost().toString(QUrl::RemoveUserInfo)},
        {"state", queue::BackendWorker::stateName(worker.state())},
        {"reachable", worker.reachable()},
        {"loaded_checkpoint", orNull(worker.loadedModel())},
        {"running_job", running},
        {"jobs_done", worker.jobsDone()},
        {"jobs_failed", worker.jobsFailed()},
        {"last_error", orNull(worker.lastError())},
        {"firstpass_patch", queue::firstPassPatchName(worker.firstPassPatch())},
    };
}

void registerAdminBackendRoutes(http::HttpServer &server, auth::AuthService &auth, queue::JobQueue &queue) {
    auth::AuthService *guard = &auth;
    queue::JobQueue *jobs = &queue;
    server.get("/api/admin/backends", [guard, jobs](const http::Request &req, http::Responder res) {
        guard->require(req, res, auth::RoleArchitect, [res, jobs](const auth::Caller &) mutable {
            QJsonArray list;
            for (const queue::BackendWorker *worker : jobs->backends())
                list.append(backendJson(*worker));
            res.json(200, QJsonObject{{"backends", list}});
        });
    });
    using Action = void (queue::BackendWorker::*)();
    const QList<QPair<QString, Action>> actions{{QStringLiteral("pause"), &queue::BackendWorker::pause},
                                                {QStringLiteral("resume"), &queue::BackendWorker::resume},
                                                {QStringLiteral("drain"), &queue::BackendWorker::drain}};
    for (const auto &[verb, action] : actions) {
        server.post("/api/admin/backends/:name/" + verb, [guard, jobs, action = action](
                                                             const http::Request &req, http::Responder res) {
            guard->require(req, res, auth::RoleArchitect,
                           [req, res, jobs, action](const auth::Caller &) mutable {
                               queue::BackendWorker *worker = jobs->backend(req.param("name"));
                               if (!worker)
                                   return res.error(404,
                                                    QStringLiteral("No backend named \"%1\"; GET "
                                                                   "/api/admin/backends lists them")
                                                        .arg(req.param("name")),
                                                    QStringLiteral("BACKEND_NOT_FOUND"));
                               (worker->*action)();
                               res.json(200, QJsonObject{{"backend", backendJson(*worker)}});
                           });
        });
    }
    server.post(
        "/api/admin/queue/:jobId/promote", [guard, jobs](const http::Request &req, http::Responder res) {
            guard->require(req, res, auth::RoleArchitect, [req, res, jobs](const auth::Caller &) mutable {
                const QString id = req.param("jobId");
                if (!jobs->promote(id))
                    return res.error(404, QStringLiteral("Job %1 is not waiting in the queue").arg(id),
                                     QStringLiteral("JOB_NOT_WAITING"));
                res.json(200, QJsonObject{{"job_id", id}, {"position", jobs->position(id)}});
            });
        });
}

} // namespace nav::api
