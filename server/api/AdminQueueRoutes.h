#pragma once
// Admin endpoints (role 3 and up, or SUPERUSER_ADMIN_TOKEN):
//   GET /api/admin/status                version, uptime, queue depth, backend reachability and loaded
//                                        checkpoint, connected realtime clients, and who the caller is.
//   GET /api/admin/queue[?include_recent=N]
//       {"jobs": [...queued and running...], "recent": [...N newest ended...], "queue_depth", "running"}
//       Each job: job_id, owner_id, owner_name (display name or null), task_type, status, model_name, prompt,
//       width, height, steps, position (null unless waiting), progress (0..1), eta_relative (seconds or
//       null), current_step, total_steps, submitted_at, started_at, finished_at (ISO 8601 UTC or null), error
//       ({code, message} or null). N is 0..kMaxRecent (400 INVALID_INCLUDE_RECENT otherwise); without it
//       "recent" is empty.
#include "server/api/AdminQueueSource.h"
#include "server/api/AdminStatusService.h"
#include "server/auth/AuthService.h"
#include "server/http/HttpServer.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <functional>

namespace nav::api {

constexpr int kMaxRecent = 200;

// Display names of owner ids (ids without a name left out).
using OwnerNameLookup = std::function<QFuture<QHash<QString, QString>>(const QStringList &ownerIds)>;

// `queue` may be null while no job queue is wired: GET /api/admin/queue then answers 503. Without `names`
// owner_name is always null.
void registerAdminQueueRoutes(http::HttpServer &server, auth::AuthService &auth, AdminStatusService &status,
                              AdminQueueSource *queue, OwnerNameLookup names = {});

// One job as the admin endpoints render it.
QJsonObject adminJobJson(const AdminQueueJob &job);

} // namespace nav::api
