#pragma once
// What GET /api/admin/queue shows, as a seam between the route (which owns the JSON) and the job queue
// (which owns the jobs). The queue side implements AdminQueueSource; main.cpp hands it to the route.
#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace nav::api {

struct AdminQueueJob {
    QString jobId;
    QString ownerId;
    QString ownerName; // display name from the owner's Discord profile; empty when unknown
    QString taskType;  // txt2img, img2img, upscale-hrf ...
    QString status;    // queued, running, finished, failed, interrupted
    QString modelName;
    QString prompt;
    int width = 0;
    int height = 0;
    int steps = 0;
    int position = -1;   // 1-based place among waiting jobs; -1 when not waiting
    double progress = 0; // 0..1 while running
    std::optional<double> etaSeconds;
    int currentStep = 0;
    int totalSteps = 0;
    QDateTime submittedAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString errorCode; // failed jobs
    QString errorMessage;
};

struct AdminQueueSnapshot {
    QList<AdminQueueJob> active; // running first, then waiting in the order they will run
    QList<AdminQueueJob> recent; // finished, failed or interrupted, newest first
};

class AdminQueueSource {
public:
    virtual ~AdminQueueSource() = default;
    // Calls `done` (on the main thread, possibly later) with every queued and running job and up to
    // `recentCount` recently ended ones; `error` is set instead when the snapshot cannot be taken.
    virtual void
    adminSnapshot(int recentCount,
                  std::function<void(const AdminQueueSnapshot &snapshot, const QString &error)> done) = 0;
};

} // namespace nav::api
