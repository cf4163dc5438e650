#include "shared/api/Backend.h"

#include "shared/api/JsonValues.h"

namespace nav::api {

QJsonObject Backend::toJson() const {
    QJsonValue running = QJsonValue::Null;
    if (runningJob)
        running = QJsonObject{{"job_id", runningJob->jobId},
                              {"owner_id", runningJob->ownerId},
                              {"model_name", runningJob->modelName},
                              {"started_at", json::timeOrNull(runningJob->startedAt)}};
    return QJsonObject{
        {"name", name},
        {"url", url},
        {"state", state},
        {"reachable", reachable},
        {"loaded_checkpoint", json::orNull(loadedCheckpoint)},
        {"running_job", running},
        {"jobs_done", jobsDone},
        {"jobs_failed", jobsFailed},
        {"last_error", json::orNull(lastError)},
        {"firstpass_patch", firstpassPatch},
    };
}

Backend Backend::fromJson(const QJsonObject &o) {
    Backend backend;
    backend.name = o.value("name").toString();
    backend.url = o.value("url").toString();
    backend.state = o.value("state").toString();
    backend.reachable = o.value("reachable").toBool();
    backend.loadedCheckpoint = o.value("loaded_checkpoint").toString();
    if (const QJsonValue running = o.value("running_job"); running.isObject()) {
        const QJsonObject job = running.toObject();
        backend.runningJob =
            RunningJob{job.value("job_id").toString(), job.value("owner_id").toString(),
                       job.value("model_name").toString(),
                       QDateTime::fromString(job.value("started_at").toString(), Qt::ISODateWithMs)};
    }
    backend.jobsDone = o.value("jobs_done").toInt();
    backend.jobsFailed = o.value("jobs_failed").toInt();
    backend.lastError = o.value("last_error").toString();
    backend.firstpassPatch = o.value("firstpass_patch").toString();
    return backend;
}

} // namespace nav::api
