#pragma once
// The durable job queue. Jobs live in the `jobs` table; this object keeps the queued ones in memory in FIFO
// order, hands them to idle backends the moment one is free (no polling loop), turns worker results into
// database writes and realtime events, and resumes the queue after a restart.
#include "server/forge/ForgeClient.h"
#include "server/queue/BackendWorker.h"
#include "server/queue/Scheduler.h"
#include "server/store/JobRepository.h"

#include <QHash>
#include <QObject>

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

    enum class EnqueueStatus { Queued, DuplicateId, QueueFull, Error };
    void enqueue(store::Job job, std::optional<qint64> categoryId,
                 std::function<void(EnqueueStatus, int queueSize)> done);

    enum class CancelStatus { Interrupted, Removed, NotFound, Forbidden, Error };
    // Interrupts a running job or removes a queued one. Only the owner may, or an admin (`mayCancelAny`).
    void cancel(const QString &jobId, const QString &callerId, bool mayCancelAny,
                std::function<void(CancelStatus)> done);

    int queueSize() const; // queued plus running
    QList<store::Job> queued() const { return m_queued; }
    QList<store::Job> running() const;
    // 1-based position among queued jobs, 0 while running, -1 if not waiting or running.
    int position(const QString &jobId) const;
    std::optional<store::JobProgress> progress(const QString &jobId) const;
    // The latest live preview of a running or recently finished job (PNG bytes).
    QByteArray latestPreview(const QString &jobId) const { return m_previews.value(jobId); }
    bool hasPreview(const QString &jobId) const { return m_previews.contains(jobId); }

private:
    void schedule();
    void start(BackendWorker *worker, const store::Job &job);
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
    void write(std::function<QFuture<void>()> op, std::function<void(bool)> done);
    void runNextWrite();

    store::JobRepository &m_repository;
    JobEventSink m_events;
    int m_maxQueueLength;
    QList<BackendWorker *> m_workers;
    QList<store::Job> m_queued;
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
};

} // namespace nav::queue
