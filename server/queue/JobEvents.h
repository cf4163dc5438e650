#pragma once
// Payloads of the realtime job events (task-started, task-progress, task-finished, task-failed,
// task-interrupted, model-changed, task-queued) with the original Navigator's field names. The submitter's IP
// is never included.
#include "server/store/Job.h"

#include <QJsonObject>

namespace nav::queue {

QJsonObject jobEventPayload(const store::Job &job, const QString &status);
// `hasPreview`: progress_path is included only when /api/previews/<id> already has an image to serve, so a
// client never loads a URL that answers 404.
QJsonObject progressPayload(const store::Job &job, const store::JobProgress &progress, bool hasPreview);
// task-failed: `error` is the message (a string, as the original sends); the machine-readable detail goes in
// error_code, backend (null when no backend was involved) and retryable.
QJsonObject failedPayload(const store::Job &job, const QString &code, const QString &message,
                          const QString &backend);
// Whether sending the same job again may succeed: the backend was unreachable, busy or restarted, as opposed
// to a request Forge rejected or could not process.
bool isRetryableFailure(const QString &code);

} // namespace nav::queue
