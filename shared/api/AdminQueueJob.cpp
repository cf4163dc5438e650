#include "shared/api/AdminQueueJob.h"

#include "shared/api/JsonValues.h"

namespace nav::api {

using F = AdminQueueJob::Field;

QLatin1String AdminQueueJob::key(Field field) {
    switch (field) {
    case F::JobId:
        return QLatin1String("job_id");
    case F::OwnerId:
        return QLatin1String("owner_id");
    case F::OwnerName:
        return QLatin1String("owner_name");
    case F::TaskType:
        return QLatin1String("task_type");
    case F::Status:
        return QLatin1String("status");
    case F::ModelName:
        return QLatin1String("model_name");
    case F::Prompt:
        return QLatin1String("prompt");
    case F::Width:
        return QLatin1String("width");
    case F::Height:
        return QLatin1String("height");
    case F::Steps:
        return QLatin1String("steps");
    case F::Position:
        return QLatin1String("position");
    case F::Progress:
        return QLatin1String("progress");
    case F::EtaSeconds:
        return QLatin1String("eta_relative");
    case F::CurrentStep:
        return QLatin1String("current_step");
    case F::TotalSteps:
        return QLatin1String("total_steps");
    case F::SubmittedAt:
        return QLatin1String("submitted_at");
    case F::StartedAt:
        return QLatin1String("started_at");
    case F::FinishedAt:
        return QLatin1String("finished_at");
    case F::Error:
        return QLatin1String("error");
    }
    return {};
}

QJsonObject AdminQueueJob::toJson() const {
    QJsonValue error = QJsonValue::Null;
    if (!errorCode.isEmpty() || !errorMessage.isEmpty())
        error = QJsonObject{{QStringLiteral("code"), errorCode}, {QStringLiteral("message"), errorMessage}};
    QJsonObject o;
    o.insert(key(F::JobId), jobId);
    o.insert(key(F::OwnerId), ownerId);
    o.insert(key(F::OwnerName), json::orNull(ownerName));
    o.insert(key(F::TaskType), taskType);
    o.insert(key(F::Status), status);
    o.insert(key(F::ModelName), modelName);
    o.insert(key(F::Prompt), prompt);
    o.insert(key(F::Width), width);
    o.insert(key(F::Height), height);
    o.insert(key(F::Steps), steps);
    o.insert(key(F::Position), position >= 0 ? QJsonValue(position) : QJsonValue(QJsonValue::Null));
    o.insert(key(F::Progress), progress);
    o.insert(key(F::EtaSeconds), etaSeconds ? QJsonValue(*etaSeconds) : QJsonValue(QJsonValue::Null));
    o.insert(key(F::CurrentStep), currentStep);
    o.insert(key(F::TotalSteps), totalSteps);
    o.insert(key(F::SubmittedAt), json::timeOrNull(submittedAt));
    o.insert(key(F::StartedAt), json::timeOrNull(startedAt));
    o.insert(key(F::FinishedAt), json::timeOrNull(finishedAt));
    o.insert(key(F::Error), error);
    return o;
}

AdminQueueJob AdminQueueJob::fromJson(const QJsonObject &o) {
    const auto value = [&o](Field field) { return o.value(key(field)); };
    AdminQueueJob job;
    job.jobId = value(F::JobId).toString();
    job.ownerId = json::idString(value(F::OwnerId));
    job.ownerName = value(F::OwnerName).toString();
    job.taskType = value(F::TaskType).toString();
    job.status = value(F::Status).toString();
    job.modelName = value(F::ModelName).toString();
    job.prompt = value(F::Prompt).toString();
    job.width = json::lenientInt(value(F::Width), 0);
    job.height = json::lenientInt(value(F::Height), 0);
    job.steps = json::lenientInt(value(F::Steps), 0);
    job.position = json::lenientInt(value(F::Position), -1);
    job.progress = value(F::Progress).toDouble();
    if (const QJsonValue eta = value(F::EtaSeconds); eta.isDouble())
        job.etaSeconds = eta.toDouble();
    job.currentStep = json::lenientInt(value(F::CurrentStep), 0);
    job.totalSteps = json::lenientInt(value(F::TotalSteps), 0);
    job.submittedAt = json::lenientTime(value(F::SubmittedAt));
    job.startedAt = json::lenientTime(value(F::StartedAt));
    job.finishedAt = json::lenientTime(value(F::FinishedAt));
    if (const QJsonValue error = value(F::Error); error.isObject()) {
        job.errorCode = error.toObject().value(QStringLiteral("code")).toString();
        job.errorMessage = error.toObject().value(QStringLiteral("message")).toString();
    } else if (error.isString()) {
        job.errorMessage = error.toString();
    }
    return job;
}

} // namespace nav::api
