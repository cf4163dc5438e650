#pragma once
// One job as GET /api/admin/queue lists it ("jobs" and "recent"): the server builds one from the job queue
// (server/api/JobQueueAdminSource.cpp) and renders it with toJson (server/api/AdminQueueRoutes.cpp); the
// admin window reads rows, and the socket.io job events that carry the same fields, through fromJson and
// key() (admin-gui/QueueJob.cpp). The field names live here only; tst_apishapes round-trips a running
// navigator's answers.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace nav::api {

struct AdminQueueJob {
    enum class Field {
        JobId,
        OwnerId,
        OwnerName,
        TaskType,
        Status,
        ModelName,
        Prompt,
        Width,
        Height,
        Steps,
        Position,
        Progress,
        EtaSeconds,
        CurrentStep,
        TotalSteps,
        SubmittedAt,
        StartedAt,
        FinishedAt,
        Error,
    };

    QString jobId;
    QString ownerId;
    QString ownerName; // display name from the owner's Discord profile; empty when unknown (null)
    QString taskType;  // txt2img, img2img, upscale-hrf ...
    QString status;    // queued, running, finished, failed, interrupted
    QString modelName;
    QString prompt;
    int width = 0;
    int height = 0;
    int steps = 0;
    int position = -1;   // 1-based place among waiting jobs; -1 when not waiting (null)
    double progress = 0; // 0..1 while running
    std::optional<double> etaSeconds;
    int currentStep = 0;
    int totalSteps = 0;
    QDateTime submittedAt; // invalid: null
    QDateTime startedAt;
    QDateTime finishedAt;
    QString errorCode; // failed jobs; both empty: "error" is null
    QString errorMessage;

    // The JSON key of a field ("job_id", "eta_relative", ...).
    static QLatin1String key(Field field);
    QJsonObject toJson() const;
    // Missing or mistyped fields keep their defaults. Lenient where other senders differ from the server's
    // own answers: numeric owner ids and sizes as strings are read, times may also be epoch milliseconds or
    // "yyyy-MM-dd HH:mm:ss" (UTC), and "error" may be a plain string (its message).
    static AdminQueueJob fromJson(const QJsonObject &object);
};

} // namespace nav::api
