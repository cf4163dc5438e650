#pragma once
// Payloads of the realtime job events (task-started, task-progress, task-finished, task-failed,
// task-interrupted, model-changed, task-queued) with the original Navigator's field names. The submitter's IP
// is never included.
#include "server/store/Job.h"

#include <QJsonObject>

namespace nav::queue {

QJsonObject jobEventPayload(const store::Job &job, const QString &status);
QJsonObject progressPayload(const store::Job &job, const store::JobProgress &progress);
QJsonObject failedPayload(const store::Job &job, const QString &code, const QString &message, bool fatal);

} // namespace nav::queue
