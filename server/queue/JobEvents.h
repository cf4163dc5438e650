#pragma once
// Payloads of the realtime job events (task-started, task-progress, task-finished, task-failed,
// task-interrupted, model-changed, task-queued) with the original Navigator's field names. The submitter's IP
// is never included.
#include "server/store/Job.h"

#include <QJsonObject>

namespace nav::queue {

QJsonObject jobEventPayload(const store::Job &job, const QString &status);
QJsonObject progressPayload(const store::Job &job, const store::JobProgress &progress);
// task-failed: error {code, message, fatal, class}.
QJsonObject failedPayload(const store::Job &job, const QString &code, const QString &message, bool fatal,
                          const QString &failureClass);
// The class of a failure a client sees: "backend_unavailable" (Forge could not be reached or lost the job),
// "rejected" (Forge answered with an error such as 422/500, its message included), "timeout"
// (FORGE_GENERATION_TIMEOUT) or "interrupted" (by a user); "internal" for Navigator's own failures.
QString failureClass(const QString &code);

} // namespace nav::queue
