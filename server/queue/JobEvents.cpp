#include "server/queue/JobEvents.h"

namespace nav::queue {

QJsonObject jobEventPayload(const store::Job &job, const QString &status) {
    const QJsonObject &p = job.params;
    return QJsonObject{
        {"job_id", job.id},
        {"owner_id", job.ownerId},
        {"model_name", job.modelName},
        {"prompt", p.value("prompt")},
        {"width", p.value("width")},
        {"height", p.value("height")},
        {"steps", p.value("steps")},
        {"seed", p.value("seed")},
        {"task_type", job.taskType},
        {"status", status},
    };
}

QJsonObject progressPayload(const store::Job &job, const store::JobProgress &progress) {
    QJsonObject payload = jobEventPayload(job, QStringLiteral("processing"));
    payload.insert("progress", progress.progress);
    payload.insert("eta_relative", progress.etaRelative);
    payload.insert("current_step", progress.currentStep);
    payload.insert("total_steps", progress.totalSteps);
    payload.insert("progress_path", QStringLiteral("/api/previews/") + job.id);
    return payload;
}

QJsonObject failedPayload(const store::Job &job, const QString &code, const QString &message, bool fatal) {
    QJsonObject payload = jobEventPayload(job, QStringLiteral("failed"));
    payload.insert("error", QJsonObject{{"code", code}, {"message", message}, {"fatal", fatal}});
    return payload;
}

} // namespace nav::queue
