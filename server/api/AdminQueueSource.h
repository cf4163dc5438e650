#pragma once
// What GET /api/admin/queue shows, as a seam between the route (which owns the JSON) and the job queue
// (which owns the jobs). The queue side implements AdminQueueSource; Navigator hands it to the route. A job
// is the shared shape api::AdminQueueJob (shared/api/AdminQueueJob.h), which the admin window reads too.
#include "shared/api/AdminQueueJob.h"

#include <QList>
#include <QString>

#include <functional>

namespace nav::api {

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
