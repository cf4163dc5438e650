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

QJsonObject progressPayload(const store::Job &job, const store::JobProgress &progress, bool hasPreview) {
    QJsonObject payload = jobEventPayload(job, QStringLiteral("processing"));
    payload.insert("progress", progress.progress);
    payload.insert("eta_relative", progress.etaRelative);
    payload.insert("current_step", progress.currentStep);
    payload.insert("total_steps", progress.totalSteps);
    if (hasPreview)
        payload.insert("progress_path", QStringLiteral("/api/previews/") + job.id);
    return payload;
}

QJsonObject failedPayload(const store::Job &job, const QString &code, const QString &message,
                          const QString &backend) {
    QJsonObject payload = jobEventPayload(job, QStringLiteral("failed"));
    payload.insert("error", message.isEmpty() ? code : message);
    payload.insert("error_code", code);
    payload.insert("backend", backend.isEmpty() ? QJsonValue() : QJsonValue(backend));
    payload.insert("retryable", isRetryableFailure(code));
    return payload;
}

bool isRetryableFailure(const QString &code) {
    static const QStringList transient = {QStringLiteral("ECONNREFUSED"),
                                          QStringLiteral("ECONNRESET"),
                                          QStringLiteral("ETIMEDOUT"),
                                          QStringLiteral("ENOTFOUND"),
                                          QStringLiteral("ENETWORK"),
                                          QStringLiteral("HTTP_502"),
                                          QStringLiteral("HTTP_503"),
                                          QStringLiteral("HTTP_504"),
                                          QStringLiteral("INTERRUPTED_BY_RESTART"),
                                          QStringLiteral("DATABASE_ERROR")};
    return transient.contains(code);
}

} // namespace nav::queue
