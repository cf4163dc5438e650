#pragma once
// The durable job queue. Jobs live in the `jobs` table; this object keeps the queued ones in memory in FIFO
// order (jobs.sequence, given by the database), hands them to free backends the moment one is free (no
// polling loop) in the Scheduler's order, turns worker results into database writes and realtime events, and
// resumes the queue after a restart. While no backend can take a job, the job waits; only after JOB_MAX_WAIT
// without one does it fail with NO_BACKEND.
//
// Every state change of a job goes through one write chain (JobWriteChain), in order, grouped into one
// transaction per batch. A write that fails because the database is unreachable is retried with backoff until
// it returns; a finished image waits in the chain meanwhile, and clients hear of a state only once the
// database has it. While writes are held up, scheduling
// pauses and new submissions are refused (503 DATABASE_UNAVAILABLE). New jobs are inserted in batches too
// (EnqueueBatcher), without retries: a submission is answered as soon as its batch commits or fails.
//
// A submission that a free backend would take at once (nothing waits ahead of it: the scheduler would pick
// this very job) is sent to Forge while its row is being inserted, not after the commit. Until the insert
// commits nobody hears of it (its answer, task-queued, task-started and model-changed wait; progress is not
// reported), its job-state writes are held in the chain, and it counts as a submission being stored, not as
// running. If the insert fails, the generation is interrupted and its result ignored, its writes dropped, and
// the submission answered as without the early start.
#include "server/forge/ForgeClient.h"
#include "server/queue/BackendWorker.h"
#include "server/queue/EnqueueBatcher.h"
#include "server/queue/JobWriteChain.h"
#include "server/queue/Scheduler.h"
#include "server/store/JobRepository.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace nav::queue {

// Where job events go: (owner id, submitter IP, event name, payload). main.cpp wires it to the realtime hub.
using JobEventSink =
    std::function<void(const QString &, const QString &, const QString &, const QJsonObject &)>;

struct QueueSettings {
    int maxQueueLength = 1000;    // queued + running, all owners (MAX_QUEUE_LENGTH)
    int maxJobsPerUser = 20;      // queued + running of one owner, 0: no cap (MAX_JOBS_PER_USER)
    int maxSkips = 4;             // SCHEDULER_MAX_SKIPS
    qint64 maxWaitMs = 3'600'000; // JOB_MAX_WAIT
};

class JobQueue final : public QObject {
    Q_OBJECT
public:
    JobQueue(store::JobRepository &repository, JobEventSink events, const QueueSettings &settings,
             QObject *parent = nullptr);

    void addBackend(BackendWorker *worker);
    const QList<BackendWorker *> &backends() const { return m_workers; }

    // Start-up: re-queues jobs that were running when Navigator stopped (once; a second time they fail), then
    // resumes the queue in its order. `done` gets an error message on failure.
    void recover(std::function<void(const QString &error)> done);

    enum class EnqueueStatus {
        Queued,
        DuplicateId,
        QueueFull,
        UserQueueFull,
        Unavailable,
        ShuttingDown,
        Error
    };
    // `capExempt`: apex users and the superuser token are not held to MAX_JOBS_PER_USER. Both caps count
    // the submissions still being stored, so concurrent submitters cannot overshoot them.
    void enqueue(store::Job job, std::optional<qint64> categoryId, bool capExempt,
                 std::function<void(EnqueueStatus, int queueSize)> done);
    const QueueSettings &settings() const { return m_settings; }

    enum class CancelStatus { Interrupted, Removed, NotFound, Forbidden, Error };
    // Interrupts a running job or removes a queued one. Only the owner may, or an admin (`mayCancelAny`).
    void cancel(const QString &jobId, const QString &callerId, bool mayCancelAny,
                std::function<void(CancelStatus)> done);

    // Moves a waiting job to the front of the dispatch order; false if it is not waiting.
    bool promote(const QString &jobId);
    BackendWorker *backend(const QString &name) const;

    int queueSize() const; // queued plus running
    // Waiting jobs in dispatch order (promoted first, then round-robin between owners).
    QList<store::Job> queued() const;
    QList<store::Job> running() const; // includes jobs whose inputs are loading for a backend
    // The job `worker` runs, unless its row is not in the database yet (see enqueue's early start).
    std::optional<store::Job> runningOn(const BackendWorker &worker) const {
        const auto &job = worker.current();
        return job && !unstored(job->id) ? job : std::nullopt;
    }
    // 1-based position in dispatch order, 0 while running, -1 if not waiting or running.
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
    void setMaxRetryDelay(int ms) { m_writes.setMaxRetryDelay(ms); }

signals:
    // A backend changed state (up, down, paused, draining): for admin sockets.
    void backendStateChanged(nav::queue::BackendWorker *worker);
    void databaseAvailabilityChanged(bool available);

private:
    void schedule();
    void requeue(const store::Job &job, bool countsAttempt);
    void failUnservable(); // JOB_MAX_WAIT without a backend that could take the job
    // Whether `worker` may take `job`: it offers the checkpoint, or no backend lists it.
    bool canRun(const BackendWorker *worker, const store::Job &job) const;
    bool servable(const store::Job &job) const;
    int ownerLoad(const QString &ownerId) const;
    // A picked job waits here, holding its backend, while its inputs load (init image and mask, or the source
    // of an upscale); it stays visible (position 0) and cancellable.
    void prepare(BackendWorker *worker, const store::Job &job);
    void launch(BackendWorker *worker, store::Job job, const QJsonObject &body, const QString &endpoint);
    void insertQueued(const store::Job &job); // in jobs.sequence order
    // The backend to send a new submission to before its row is inserted: the one schedule() would give it
    // at once, or null (something waits ahead of it, no backend is free, it needs inputs from the database).
    BackendWorker *earlyBackend(const store::Job &job) const;
    // The insert of a job sent early committed: the answer and the events it held back, then its writes.
    void earlyInserted(store::Job job, qint64 sequence, const std::function<void(EnqueueStatus, int)> &done);
    // Its insert failed: its writes are dropped and its generation interrupted, its result ignored.
    void abandonEarly(const QString &jobId);
    // Sent early and not (yet) in the database: its insert is pending, or failed while Forge still runs it.
    // Such a job is nobody's business: not counted, listed, cancellable or reported.
    bool unstored(const QString &jobId) const {
        return m_early.contains(jobId) || m_discarded.contains(jobId);
    }
    bool isQueued(const QString &jobId) const;
    void finishShutdownIfIdle();
    void setDatabaseDown(bool down);
    void onSucceeded(BackendWorker *worker, const store::Job &job, const QByteArray &pngBase64,
                     const QJsonObject &info, bool interrupted);
    void onFailed(BackendWorker *worker, const store::Job &job, const forge::ForgeError &error,
                  bool interrupted);
    // `backend`: the worker that ran the job, empty when none did. `failureClass` defaults to the class of
    // `code` (see failureClass() in JobEvents.h).
    void fail(const store::Job &job, const QString &code, const QString &message, const QString &backend = {},
              const QString &failureClass = {});
    void emitEvent(const store::Job &job, const QString &event, const QJsonObject &payload);
    void rememberPreview(const QString &jobId, const QByteArray &png);
    // Queues a job-state write on the chain. `done(false)` only for a real failure; an unreachable database
    // is waited out.
    void write(store::JobWrite write, std::function<void(bool)> done = {}) {
        m_writes.write(std::move(write), std::move(done));
    }

    store::JobRepository &m_repository;
    JobEventSink m_events;
    QueueSettings m_settings;
    QList<BackendWorker *> m_workers;
    QList<store::Job> m_queued; // in jobs.sequence order; the Scheduler picks from it
    QHash<BackendWorker *, store::Job> m_preparing;
    QSet<QString> m_abandoned; // running at the end of a shutdown grace: re-queued, their results ignored
    QSet<QString> m_discarded; // sent early, insert failed, interrupted: their results ignored
    // Jobs sent to a backend while their rows are being inserted, with what waits for the commit.
    struct EarlyJob {
        std::optional<store::Job> started;  // as the backend started it: task-started follows task-queued
        QString modelChanged;               // model-changed follows task-started
        std::optional<store::Job> returned; // came back from the backend: queued at the commit
    };
    QHash<QString, EarlyJob> m_early;
    // Sequences of early jobs still on their backend after the commit (their copies there carry none),
    // for a re-queue in jobs.sequence order.
    QHash<QString, qint64> m_earlySequences;
    Scheduler m_scheduler;
    int m_reserved = 0;                     // submissions being stored
    QHash<QString, int> m_reservedBy;       // ... per owner
    QHash<QString, qint64> m_unservedSince; // job id -> since when no backend could take it
    QTimer *m_waitTimer;
    QHash<QString, store::JobProgress> m_progress;
    QHash<QString, QByteArray> m_previews;
    QStringList m_previewOrder; // oldest first, to bound m_previews
    JobWriteChain m_writes;
    EnqueueBatcher m_enqueues;
    bool m_recovered = false;
    bool m_databaseDown = false;
    bool m_shuttingDown = false;
    std::function<void()> m_shutdownDone;
};

} // namespace nav::queue
