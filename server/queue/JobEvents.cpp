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

QJsonObject failedPayload(const store::Job &job, const QString &code, const QString &message, bool fatal,
                          const QString &failureClass) {
    QJsonObject payload = jobEventPayload(job, QStringLiteral("failed"));
    payload.insert(
        "error",
        QJsonObject{{"code", code}, {"message", message}, {"fatal", fatal}, {"class", failureClass}});
    return payload;
}

QString failureClass(const QString &code) {
    if (code.startsWith(QLatin1String("HTTP_")) || code == QLatin1String("NO_IMAGES") ||
        code == QLatin1String("EBADRESPONSE"))
        return QStringLiteral("rejected");
    if (code == QLatin1String("ETIMEDOUT"))
        return QStringLiteral("timeout");
    if (code == QLatin1String("INTERRUPTED"))
        return QStringLiteral("interrupted");
    if (code.startsWith(QLatin1Char('E')) || code == QLatin1String("NO_BACKEND") ||
        code == QLatin1String("BACKEND_LOST") || code == QLatin1String("FORGE_CONNECTION_LOST"))
        return QStringLiteral("backend_unavailable");
    return QStringLiteral("internal");
}

} // namespace nav::queue
