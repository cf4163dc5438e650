#pragma once
// One generation job as the queue knows it. `params` holds the validated, normalised request fields
// (see api/GenerationRequest); they are stored as JSON in jobs.params so a restart can resume the job.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace nav::store {

struct JobInputs {
    QString initImage; // base64 PNG, may be empty
    QString mask;      // base64 PNG, may be empty
};

struct Job {
    QString id;       // 8 hex characters unless the client chose one
    QString ownerId;  // Discord id
    QString origin;   // the submitter's IP (for unauthenticated realtime sockets); never sent to clients
    QString taskType; // txt2img | img2img | upscale
    QString status;   // queued | started | finished | failed | interrupted
    QJsonObject params;
    QString modelName;
    int attempts = 0;
    qint64 sequence = 0; // FIFO order
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString errorCode;
    QString errorMessage;
    // In memory only: re-queued at start-up after a run that Navigator's restart interrupted. Forge may still
    // run it or have its result, so the backend first asks for it (BackendWorker::reclaim).
    bool recovered = false;
    // An img2img job's init image and mask (megabytes of base64), kept out of `params` so that editing the
    // params never copies them. Only from submission to the database write: JobQueue::enqueue hands them to
    // job_inputs and drops them, so the queue never holds them.
    JobInputs inputs;
};

// Live state of a running job (kept in memory, not in the database).
struct JobProgress {
    double progress = 0;
    double etaRelative = 0;
    int currentStep = 0;
    int totalSteps = 0;
};

} // namespace nav::store
