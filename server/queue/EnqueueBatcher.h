#pragma once
// Grouped inserts of new jobs. The submissions that arrive during one event-loop turn, and all those that
// arrive while a batch is being written, are inserted together in one transaction
// (JobRepository::enqueueAll), up to kMaxBatch, in arrival order: one commit for many jobs instead of one
// each.
//
// Unlike the job-state write chain nothing waits here: a submission is answered at once when the database is
// down. A batch that cannot reach the database fails every submission in it (each answers 503); a batch that
// fails for another reason is tried again one job per transaction, so only the bad job fails.
#include "server/store/JobRepository.h"

#include <QList>
#include <QObject>

#include <functional>

namespace nav::queue {

class EnqueueBatcher final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxBatch = 64;
    using Inserted = std::function<void(const store::JobRepository::Enqueued &)>;
    using Failed = std::function<void(bool unavailable)>;

    explicit EnqueueBatcher(store::JobRepository &repository, QObject *parent = nullptr);

    // Queues the insert of `job`; exactly one of `inserted` and `failed` runs later, on this thread.
    void insert(store::Job job, std::optional<qint64> categoryId, Inserted inserted, Failed failed);

private:
    struct Pending {
        store::JobRepository::NewJob item;
        Inserted inserted;
        Failed failed;
    };
    void runNext();
    void done(const QList<Pending> &batch, const QList<store::JobRepository::Enqueued> &results);
    void failed(QList<Pending> batch, bool unavailable);

    store::JobRepository &m_repository;
    QList<Pending> m_pending;
    QList<Pending> m_isolated; // of a failed batch: tried again one per transaction, before newer ones
    bool m_busy = false;
};

} // namespace nav::queue
