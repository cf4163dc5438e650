#include "shared/api/HistoryJob.h"

#include "shared/api/JsonValues.h"

namespace nav::api {

namespace {

QJsonValue numberOrNull(const std::optional<qint64> &number) {
    return number ? QJsonValue(*number) : QJsonValue(QJsonValue::Null);
}

std::optional<qint64> number(const QJsonValue &value) {
    return value.isDouble() ? std::optional<qint64>(static_cast<qint64>(value.toDouble())) : std::nullopt;
}

} // namespace

QJsonObject HistoryJob::toJson() const {
    QJsonValue error = QJsonValue::Null;
    if (!errorCode.isEmpty() || !errorMessage.isEmpty())
        error = QJsonObject{{"code", errorCode}, {"message", errorMessage}};
    return QJsonObject{{"job_id", jobId},
                       {"owner_id", ownerId},
                       {"owner_name", json::orNull(ownerName)},
                       {"task_type", taskType},
                       {"status", status},
                       {"model_name", json::orNull(modelName)},
                       {"prompt", prompt},
                       {"negative_prompt", negativePrompt},
                       {"width", width},
                       {"height", height},
                       {"steps", steps},
                       {"seed", numberOrNull(seed)},
                       {"backend", json::orNull(backend)},
                       {"attempts", attempts},
                       {"submitted_at", json::timeOrNull(submittedAt)},
                       {"started_at", json::timeOrNull(startedAt)},
                       {"finished_at", json::timeOrNull(finishedAt)},
                       {"duration_seconds", numberOrNull(durationSeconds)},
                       {"error", error}};
}

HistoryJob HistoryJob::fromJson(const QJsonObject &o) {
    HistoryJob job;
    job.jobId = o.value("job_id").toString();
    job.ownerId = json::idString(o.value("owner_id"));
    job.ownerName = o.value("owner_name").toString();
    job.taskType = o.value("task_type").toString();
    job.status = o.value("status").toString();
    job.modelName = o.value("model_name").toString();
    job.prompt = o.value("prompt").toString();
    job.negativePrompt = o.value("negative_prompt").toString();
    job.width = json::lenientInt(o.value("width"), 0);
    job.height = json::lenientInt(o.value("height"), 0);
    job.steps = json::lenientInt(o.value("steps"), 0);
    job.seed = number(o.value("seed"));
    job.backend = o.value("backend").toString();
    job.attempts = json::lenientInt(o.value("attempts"), 0);
    job.submittedAt = json::lenientTime(o.value("submitted_at"));
    job.startedAt = json::lenientTime(o.value("started_at"));
    job.finishedAt = json::lenientTime(o.value("finished_at"));
    job.durationSeconds = number(o.value("duration_seconds"));
    if (const QJsonValue error = o.value("error"); error.isObject()) {
        job.errorCode = error.toObject().value("code").toString();
        job.errorMessage = error.toObject().value("message").toString();
    }
    return job;
}

} // namespace nav::api
