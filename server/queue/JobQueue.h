#pragma once
// The durable job queue. Jobs live in the `jobs` table; this object keeps the queued ones in memory in FIFO
// order (jobs.sequence, given by the database), hands them to idle backends the moment one is free (no
// polling loop), turns worker results into database writes and realtime events, and resumes the queue after a
// restart.
//
// Every state change of a job goes through one write chain, in order. A write that fails because the
// database is unreachable is retried with backoff until it returns; a finished image waits in the chain
// meanwhile, and clients hear of a state only once the database has it. While writes are held up, scheduling
// pauses and new submissions are refused (503 DATABASE_UNAVAILABLE).
#include "server/forge/ForgeClient.h"
#include "server/queue/BackendWorker.h"
#include "server/queue/Scheduler.h"
#include "server/store/JobRepository.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <functional>

namespace nav::queue {

// Where job events go: (owner id, submitter IP, event name, payload). main.cpp wires it to the realtime hub.
using JobEventSink =
    std::function<void(const QString &, const QString &, const QString &, const QJsonObject &)>;

class JobQueue : public QObject {
    Q_OBJECT
public:
    JobQueue(store::JobRepository &repository, JobEventSink events, int maxQueueLength,
             QObject *parent = nullptr);

    void addBackend(BackendWorker *worker);
    const QList<BackendWorker *> &backends() const { return m_workers; }

    // Start-up: re-queues jobs that were running when Navigator stopped (once; a second time they fail), then
    // resumes the queue in its order. `done` gets an error message on failure.
    void recover(std::function<void(const QString &error)> done);

    enum class EnqueueStatus { Queued, DuplicateId, QueueFull, Unavailable, ShuttingDown, Error };
    void enqueue(store::Job job, std::optional<qint64> categoryId,
                 std::function<void(EnqueueStatus, int queueSize)> done);

    enum class CancelStatus { Interrupted, Removed, NotFound, Forbidden, Error };
    // Interrupts a running job or removes a queued one. Only the owner may, or an admin (`mayCancelAny`).
    void cancel(const QString &jobId, const QString &callerId, bool mayCancelAny,
                std::function<void(CancelStatus)> done);

    int queueSize() const; // queued plus running
    QList<store::Job> queued() const { return m_queued; }
    QList<store::Job> running() const; // includes jobs whose inputs are loading for a backend
    // 1-based position among queued jobs, 0 while running, -1 if not waiting or running.
    int position(const QString &jobId) const;
    std::optional<store::JobProgress> progress(const QString &jobId) const;
    // The latest live preview of a running or recently finished job (PNG bytes).
    QByteArray latestPreview(const QString &jobId) const { return m_previews.value(jobId); }
    bool hasPreview(const QString &jobId) const { return m_previews.contains(jobId); }

    // False while job-state writes fail because the database cannot be reached.
    bool databaseAvailable() const { return !m_databaseDown; }
    // Seconds a client should wait before submitting again (Retry-After of the 503 answers).
    int retryAfterSeconds() const;

    // Graceful shutdown: refuses new jobs, starts no more, lets the running ones finish for up to `graceMs`
    // (then interrupts them and re-queues them without costing an attempt), flushes the pending writes and
    // calls `done`. Queued jobs stay queued in the database for the next start.
    void shutdown(qint64 graceMs, std::function<void()> done);
    bool shuttingDown() const { return m_shuttingDown; }

    // The longest wait between two tries of a write while the database is unreachable.
    void setMaxRetryDelay(int ms) { m_maxRetryDelayMs = ms; }

signals:
    void databaseAvailabilityChanged(bool available);

private:
    void schedule();
    // A picked job waits here, holding its backend, while its inputs load (init image and mask, or the source
    // of an upscale); it stays visible (position 0) and cancellable.
    void prepare(BackendWorker *worker, const store::Job &job);
    void launch(BackendWorker *worker, store::Job job, const QJsonObject &body, const QString &endpoint);
    void insertQueued(const store::Job &job); // in jobs.sequence order
    void finishShutdownIfIdle();
    void flushWrites(std::function<void()> done);
    void setDatabaseDown(bool down);
    void onSucceeded(BackendWorker *worker, const store::Job &job, const QByteArray &pngBase64,
                     const QJsonObject &info, bool interrupted);
    void onFailed(BackendWorker *worker, const store::Job &job, const forge::ForgeError &error,
                  bool interrupted);
    // `backend`: the worker that ran the job, empty when none did.
    void fail(const store::Job &job, const QString &code, const QString &message,
              const QString &backend = {});
    void emitEvent(const store::Job &job, const QString &event, const QJsonObject &payload);
    void rememberPreview(const QString &jobId, const QByteArray &png);
    // Job-state writes run one after another: the database pool has several connections, and a late write
    // must not overtake an earlier one for the same job ("queued" over "started", "started" over "finished").
    // `done(false)` only for a real failure; an unreachable database is waited out.
    void write(std::function<QFuture<void>()> op, std::function<void(bool)> done);
    void runNextWrite();
    void retryWriteLater();

    store::JobRepository &m_repository;
    JobEventSink m_events;
    int m_maxQueueLength;
    QList<BackendWorker *> m_workers;
    QList<store::Job> m_queued;
    QHash<BackendWorker *, store::Job> m_preparing;
    QHash<BackendWorker *, qint64> m_coolDownUntil; // after a refused connection, ms since epoch
    QSet<QString> m_abandoned; // running at the end of a shutdown grace: re-queued, their results ignored
    Scheduler m_scheduler;
    QHash<QString, store::JobProgress> m_progress;
    QHash<QString, QByteArray> m_previews;
    QStringList m_previewOrder; // oldest first, to bound m_previews
    struct PendingWrite {
        std::function<QFuture<void>()> op;
        std::function<void(bool)> done;
    };
    QList<PendingWrite> m_writes;
    bool m_writing = false;
    bool m_recovered = false;
    bool m_databaseDown = false;
    int m_retryDelayMs = 0;
    int m_maxRetryDelayMs = 5000;
    std::function<void()> m_writesFlushed;
    bool m_shuttingDown = false;
    std::function<void()> m_shutdownDone;
};

} // namespace nav::queue
