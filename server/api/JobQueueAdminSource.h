#pragma once
// GET /api/admin/queue's view of the real job queue: running and waiting jobs (with live progress) from the
// JobQueue in memory, recently ended ones from the jobs table.
#include "server/api/AdminQueueSource.h"
#include "server/queue/JobQueue.h"
#include "server/store/JobRepository.h"

#include <QObject>

namespace nav::api {

class JobQueueAdminSource final : public QObject, public AdminQueueSource {
    Q_OBJECT
public:
    JobQueueAdminSource(queue::JobQueue &queue, store::JobRepository &jobs, QObject *parent = nullptr);

    void adminSnapshot(int recentCount,
                       std::function<void(const AdminQueueSnapshot &, const QString &)> done) override;

    // The admin view of one stored job (status "started" is shown as "running").
    static AdminQueueJob fromJob(const store::Job &job);

private:
    queue::JobQueue &m_queue;
    store::JobRepository &m_jobs;
};

} // namespace nav::api
