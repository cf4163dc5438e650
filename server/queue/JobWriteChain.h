#pragma once
// The job-state write chain. Every state change of a job (started, re-queued, finished with its image,
// failed, removed, and the png-info answer cached after it finished) goes through it, in the order it was
// queued, so a late write never overtakes an earlier one for the same job ("queued" over "started", "started"
// over "finished") on the pool's several connections.
//
// Grouped commits: the writes queued during one event-loop turn, and all those that arrive while a batch is
// being committed, go to the database together as one transaction (JobRepository::apply), up to
// kMaxBatch writes, in queue order. After a batch commits, each write's `done(true)` runs in that order.
// - The database cannot be reached: the whole batch stays at the head of the chain and is tried again with
//   backoff (up to the maximum retry delay) until it returns; nothing is dropped.
// - A write fails for good (the batch rolled back): the writes of that batch are tried again one by one, each
//   in its own transaction, so only the bad one answers `done(false)`.
// - A job whose row is still being inserted (sent to its backend before the insert committed, see
//   JobQueue) is held: a batch ends before its first write, and nothing behind that write runs until
//   release(), so its writes reach the database after its row and the chain's order stays whole.
#include "server/store/JobRepository.h"

#include <QList>
#include <QObject>
#include <QSet>

#include <functional>

namespace nav::queue {

class JobWriteChain final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxBatch = 128;

    explicit JobWriteChain(store::JobRepository &repository, QObject *parent = nullptr);

    // Queues `write`; `done(ok)` runs on this thread once it committed (true) or failed for good (false).
    void write(store::JobWrite write, std::function<void(bool)> done = {});
    // Calls `done` once every write queued so far has been answered (at once if none is pending).
    void flush(std::function<void()> done);
    // Whether a write of `jobId` waits or runs.
    bool hasPending(const QString &jobId) const;
    // Holds the writes of `jobId` (and every write queued after its first one) until release(jobId). Only for
    // a job with no write pending (hasPending), so that every write of it in the chain came after the hold.
    void hold(const QString &jobId) { m_held.insert(jobId); }
    // Ends the hold. `keep` false: the job's row was never inserted, so its pending writes are dropped
    // unanswered (their `done` never runs).
    void release(const QString &jobId, bool keep);

    bool databaseDown() const { return m_databaseDown; }
    // The longest wait between two tries while the database is unreachable.
    void setMaxRetryDelay(int ms) { m_maxRetryDelayMs = ms; }
    int maxRetryDelay() const { return m_maxRetryDelayMs; }

signals:
    // Writes started failing because the database is unreachable (false), or went through again (true).
    void availabilityChanged(bool available);

private:
    void runNext();
    void committed(int count);
    void failed(int count, bool unavailable);
    void setDatabaseDown(bool down);

    struct Pending {
        store::JobWrite write;
        std::function<void(bool)> done;
    };
    store::JobRepository &m_repository;
    QList<Pending> m_pending; // in queue order; the running batch is at the head
    bool m_busy = false;      // a batch is running or about to start
    int m_isolated = 0;       // the next writes to run one per transaction (after a batch failed for good)
    bool m_databaseDown = false;
    int m_retryDelayMs = 0;
    int m_maxRetryDelayMs = 5000;
    std::function<void()> m_flushed;
    QSet<QString> m_held; // jobs whose rows are still being inserted
};

} // namespace nav::queue
