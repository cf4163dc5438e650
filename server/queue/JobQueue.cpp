#include "server/queue/JobQueue.h"

#include "server/common/WorkerPriority.h"
#include "server/forge/GenerationPayload.h"
#include "server/ops/Logging.h"
#include "server/ops/ServiceMetrics.h"
#include "server/queue/JobEvents.h"
#include "server/queue/QueueLogging_p.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTimer>

#include <algorithm>

namespace nav::queue {

namespace {

constexpr int kPreviewsKept = 64;
constexpr int kRetryDelayMs = 1000;
constexpr int kMaxAttempts = 2; // a job is started at most twice (Forge lost it, or a Navigator restart)

double secondsSince(const QDateTime &from) {
    return from.isValid() ? static_cast<double>(from.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0 : 0.0;
}

// Runs `ok(value)` on `context`'s thread when the database future is done, or `failed(unavailable)` if it
// failed (unavailable: the database could not be reached). Failures are logged.
template <typename T, typename Ok, typename Failed>
void onResult(QFuture<T> future, QObject *context, Ok ok, Failed failed) {
    auto next = [&] {
        if constexpr (std::is_void_v<T>)
            return future.then(context, [ok]() mutable { ok(); });
        else
            return future.then(context, [ok](T value) mutable { ok(std::move(value)); });
    }();
    next.onFailed(context,
                  [failed](const store::DbError &e) mutable {
                      qCWarning(lcQueue).noquote() << "database error:" << e.message();
                      failed(e.unavailable());
                  })
        .onFailed(context, [failed](const std::exception &e) mutable {
            qCCritical(lcQueue) << "database error:" << e.what();
            failed(false);
        });
}

bool needsInputs(const store::Job &job) {
    return job.taskType == QLatin1String("img2img") || job.taskType == QLatin1String("upscale");
}

// Stock Forge hands firstpass_image to processing as text, and numpy fails to read it as pixels.
bool isStockForgeFirstPassFailure(const forge::ForgeError &error) {
    return error.httpStatus == 500 &&
           error.message.contains(QLatin1String("could not convert string to float"));
}

} // namespace

JobQueue::JobQueue(store::JobRepository &repository, JobEventSink events, const QueueSettings &settings,
                   QObject *parent)
    : QObject(parent), m_repository(repository), m_events(std::move(events)), m_settings(settings),
      m_scheduler(settings.maxSkips), m_waitTimer(new QTimer(this)), m_writes(repository),
      m_enqueues(repository) {
    connect(&m_writes, &JobWriteChain::availabilityChanged, this,
            [this](bool available) { setDatabaseDown(!available); });
    // Checks a few times per JOB_MAX_WAIT (at most every 5 s) for jobs no backend could take for too long.
    m_waitTimer->setInterval(int(qBound<qint64>(qint64(250), settings.maxWaitMs / 4, qint64(5000))));
    connect(m_waitTimer, &QTimer::timeout, this, &JobQueue::failUnservable);
    m_waitTimer->start();
}

void JobQueue::addBackend(BackendWorker *worker) {
    m_workers.append(worker);
    connect(worker, &BackendWorker::started, this, [this](const store::Job &job) {
        if (const auto early = m_early.find(job.id); early != m_early.end()) {
            early->started = job; // told once its row is in the database
            return;
        }
        emitEvent(job, QStringLiteral("task-started"), [&] {
            QJsonObject payload = jobEventPayload(job, QStringLiteral("started"));
            payload.insert("queue_size", queueSize());
            return payload;
        }());
    });
    connect(worker, &BackendWorker::modelChanged, this, [this](const store::Job &job, const QString &model) {
        if (const auto early = m_early.find(job.id); early != m_early.end()) {
            early->modelChanged = model;
            return;
        }
        emitEvent(job, QStringLiteral("model-changed"),
                  QJsonObject{{"model_name", model}, {"job_id", job.id}});
    });
    connect(worker, &BackendWorker::progressed, this,
            [this](const store::Job &job, const store::JobProgress &progress, const QByteArray &preview) {
                // Not reported for a job whose row is not in the database yet, nor for an abandoned one.
                if (unstored(job.id))
                    return;
                m_progress.insert(job.id, progress);
                if (!preview.isEmpty()) {
                    rememberPreview(job.id, preview);
                    // Not in the write chain: a preview is best effort and must not hold up job states
                    // (nor be tried while the database is known to be down).
                    if (!m_databaseDown)
                        onResult(
                            m_repository.savePreview(job.id, preview.toBase64()), this, [] {}, [](bool) {});
                }
                emitEvent(job, QStringLiteral("task-progress"),
                          progressPayload(job, progress, hasPreview(job.id)));
            });
    connect(worker, &BackendWorker::succeeded, this,
            [this, worker](const store::Job &job, const QByteArray &png, const QJsonObject &info,
                           bool interrupted) { onSucceeded(worker, job, png, info, interrupted); });
    connect(worker, &BackendWorker::failed, this,
            [this, worker](const store::Job &job, const forge::ForgeError &error, bool interrupted) {
                onFailed(worker, job, error, interrupted);
            });
    connect(worker, &BackendWorker::returned, this,
            [this](const store::Job &job, bool countsAttempt) { requeue(job, countsAttempt); });
    connect(worker, &BackendWorker::stateChanged, this, [this, worker] {
        emit backendStateChanged(worker);
        schedule();
    });
    connect(worker, &BackendWorker::becameIdle, this, [this] {
        finishShutdownIfIdle();
        schedule();
    });
}

BackendWorker *JobQueue::backend(const QString &name) const {
    for (BackendWorker *worker : m_workers)
        if (worker->name() == name)
            return worker;
    return nullptr;
}

void JobQueue::recover(std::function<void(const QString &)> done) {
    onResult(
        m_repository.active(), this,
        [this, done](QList<store::Job> jobs) {
            int requeued = 0;
            // Submissions are accepted while the table is read: a job queued in memory meanwhile may be in
            // this list too, and must not wait (and run) twice.
            QSet<QString> submitted;
            for (const store::Job &job : std::as_const(m_queued))
                submitted.insert(job.id);
            for (store::Job job : jobs) {
                if (submitted.contains(job.id))
                    continue;
                if (job.status == QLatin1String("started")) {
                    if (job.attempts >= kMaxAttempts) {
                        fail(job, QStringLiteral("INTERRUPTED_BY_RESTART"),
                             QStringLiteral("Navigator stopped twice while this job was running; it was not "
                                            "retried again"));
                        continue;
                    }
                    write(m_repository.requeued(job.id));
                    job.status = QStringLiteral("queued");
                    job.recovered = true;
                    ++requeued;
                }
                m_queued.append(job); // in sequence order
            }
            if (!submitted.isEmpty())
                std::stable_sort(
                    m_queued.begin(), m_queued.end(),
                    [](const store::Job &a, const store::Job &b) { return a.sequence < b.sequence; });
            qCInfo(lcQueue) << "queue recovered:" << m_queued.size() << "jobs waiting," << requeued
                            << "re-queued after an interrupted run";
            m_recovered = true;
            done({});
            schedule();
        },
        [done](bool) { done(QStringLiteral("cannot read the job queue from the database")); });
}

int JobQueue::ownerLoad(const QString &ownerId) const {
    int load = m_reservedBy.value(ownerId);
    for (const store::Job &job : m_preparing)
        load += job.ownerId == ownerId ? 1 : 0;
    for (const store::Job &job : m_queued)
        load += job.ownerId == ownerId ? 1 : 0;
    for (const BackendWorker *worker : m_workers) // an early job counts in m_reservedBy until its commit
        load += worker->current() && worker->current()->ownerId == ownerId && !unstored(worker->current()->id)
                    ? 1
                    : 0;
    return load;
}

void JobQueue::enqueue(store::Job job, std::optional<qint64> categoryId, bool capExempt,
                       std::function<void(EnqueueStatus, int)> done) {
    if (m_shuttingDown) {
        done(EnqueueStatus::ShuttingDown, queueSize());
        return;
    }
    if (m_databaseDown) {
        done(EnqueueStatus::Unavailable, queueSize());
        return;
    }
    if (queueSize() + m_reserved >= m_settings.maxQueueLength) {
        done(EnqueueStatus::QueueFull, queueSize());
        return;
    }
    if (!capExempt && m_settings.maxJobsPerUser > 0 && ownerLoad(job.ownerId) >= m_settings.maxJobsPerUser) {
        done(EnqueueStatus::UserQueueFull, queueSize());
        return;
    }
    // Decided before this submission holds its slot: see earlyBackend().
    BackendWorker *early = earlyBackend(job);
    // The slot is held while the row is written, so concurrent submissions see it.
    ++m_reserved;
    ++m_reservedBy[job.ownerId];
    job.status = QStringLiteral("queued");
    job.createdAt = QDateTime::currentDateTimeUtc();
    // The repository writes the init image and mask to job_inputs; the queue never holds them.
    store::Job row = job;
    job.inputs = {};
    // Frees the slot held while the row was written.
    auto release = [this, owner = job.ownerId] {
        --m_reserved;
        if (--m_reservedBy[owner] <= 0)
            m_reservedBy.remove(owner);
    };
    if (early) {
        // A free backend would take it as soon as its row is in: it starts now, while the row is written. Its
        // state writes wait in the chain for the row, and clients hear of it only once the insert committed.
        m_early.insert(job.id, {});
        m_writes.hold(job.id);
        m_scheduler.served(job.ownerId);
        launch(early, job, forge::txt2imgPayload(job.params, job.id), QStringLiteral("/txt2img"));
    }
    m_enqueues.insert(
        std::move(row), categoryId,
        [this, job, done, release, sentEarly = early != nullptr,
         duringRecovery = !m_recovered](const store::JobRepository::Enqueued &result) mutable {
            release();
            if (result.result == store::JobRepository::EnqueueResult::DuplicateId) {
                if (sentEarly)
                    abandonEarly(job.id);
                done(EnqueueStatus::DuplicateId, queueSize());
                return;
            }
            if (sentEarly) {
                earlyInserted(job, result.sequence, done);
                return;
            }
            job.sequence = result.sequence;
            if (!duringRecovery || !isQueued(job.id)) // recovery may have read the new row already
                insertQueued(job);
            ops::metrics().jobsSubmitted.inc();
            const int size = queueSize();
            const ops::LogContext context(job.id, job.ownerId);
            qCInfo(lcQueue).noquote() << "queued" << job.id << "for" << job.ownerId << "- queue size" << size;
            QJsonObject payload = jobEventPayload(job, QStringLiteral("queued"));
            payload.insert("queue_size", size);
            payload.insert("position", position(job.id));
            emitEvent(job, QStringLiteral("task-queued"), payload);
            done(EnqueueStatus::Queued, size);
            schedule();
        },
        [this, done, release, sentEarly = early != nullptr, id = job.id](bool unavailable) {
            release();
            if (sentEarly)
                abandonEarly(id);
            done(unavailable ? EnqueueStatus::Unavailable : EnqueueStatus::Error, queueSize());
        });
}

BackendWorker *JobQueue::earlyBackend(const store::Job &job) const {
    if (!m_recovered || m_shuttingDown || m_databaseDown || needsInputs(job) || !m_queued.isEmpty())
        return nullptr;
    // Every submission still being stored was itself sent early: none is about to enter the queue ahead.
    if (m_reserved != m_early.size() || unstored(job.id))
        return nullptr;
    // An id known here (preparing, running, or with a state write still pending) goes the usual way: its
    // insert finds the duplicate.
    if (m_writes.hasPending(job.id))
        return nullptr;
    for (const store::Job &preparing : m_preparing)
        if (preparing.id == job.id)
            return nullptr;
    for (const BackendWorker *worker : m_workers)
        if (worker->current() && worker->current()->id == job.id)
            return nullptr;
    // With this job alone in the queue, schedule() gives it to the first free backend that can run it
    // (Scheduler::pick of a one-job queue is that job, whatever the backend has loaded).
    for (BackendWorker *worker : m_workers)
        if (worker->available() && !m_preparing.contains(worker) && canRun(worker, job))
            return worker;
    return nullptr;
}

void JobQueue::earlyInserted(store::Job job, qint64 sequence,
                             const std::function<void(EnqueueStatus, int)> &done) {
    const EarlyJob early = m_early.take(job.id);
    job.sequence = sequence;
    if (early.returned) { // its backend gave it back meanwhile: it waits in the queue like any other
        store::Job retry = *early.returned;
        retry.sequence = sequence;
        insertQueued(retry);
    } else if (std::any_of(m_workers.begin(), m_workers.end(), [&](const BackendWorker *worker) {
                   return worker->current() && worker->current()->id == job.id;
               })) {
        m_earlySequences.insert(job.id, sequence);
    }
    ops::metrics().jobsSubmitted.inc();
    const int size = queueSize();
    const ops::LogContext context(job.id, job.ownerId);
    qCInfo(lcQueue).noquote() << "queued" << job.id << "for" << job.ownerId << "- queue size" << size
                              << "(started while its row was written)";
    QJsonObject payload = jobEventPayload(job, QStringLiteral("queued"));
    payload.insert("queue_size", size);
    // It was the only job waiting when it was sent, as it would have been when schedule() picked it.
    payload.insert("position", early.returned ? position(job.id) : 1);
    emitEvent(job, QStringLiteral("task-queued"), payload);
    done(EnqueueStatus::Queued, size);
    if (early.started) {
        QJsonObject started = jobEventPayload(*early.started, QStringLiteral("started"));
        started.insert("queue_size", queueSize());
        emitEvent(*early.started, QStringLiteral("task-started"), started);
    }
    if (!early.modelChanged.isEmpty())
        emitEvent(job, QStringLiteral("model-changed"),
                  QJsonObject{{"model_name", early.modelChanged}, {"job_id", job.id}});
    m_writes.release(job.id, true); // its held state writes follow the row now
    if (early.returned)
        schedule();
}

void JobQueue::abandonEarly(const QString &jobId) {
    m_early.remove(jobId);
    m_writes.release(jobId, false); // no row: none of its writes may run
    m_progress.remove(jobId);
    for (BackendWorker *worker : std::as_const(m_workers)) {
        if (!worker->current() || worker->current()->id != jobId)
            continue;
        qCInfo(lcQueue).noquote() << "the row of" << jobId << "could not be inserted: interrupting it on"
                                  << worker->name();
        m_discarded.insert(jobId); // its result is ignored; the backend is free once Forge answers
        worker->interrupt();
    }
}

bool JobQueue::isQueued(const QString &jobId) const {
    return std::any_of(m_queued.begin(), m_queued.end(),
                       [&](const store::Job &job) { return job.id == jobId; });
}

void JobQueue::insertQueued(const store::Job &job) {
    const auto at =
        std::upper_bound(m_queued.begin(), m_queued.end(), job.sequence,
                         [](qint64 sequence, const store::Job &j) { return sequence < j.sequence; });
    m_queued.insert(at, job);
}

void JobQueue::cancel(const QString &jobId, const QString &callerId, bool mayCancelAny,
                      std::function<void(CancelStatus)> done) {
    for (BackendWorker *worker : std::as_const(m_workers)) {
        const auto &running = worker->current();
        if (!running || running->id != jobId ||
            unstored(jobId)) // an early job is not known before its commit
            continue;
        if (running->ownerId != callerId && !mayCancelAny) {
            done(CancelStatus::Forbidden);
            return;
        }
        worker->interrupt();
        emitEvent(*running, QStringLiteral("task-interrupted"),
                  jobEventPayload(*running, QStringLiteral("interrupted")));
        done(CancelStatus::Interrupted);
        return;
    }
    std::optional<store::Job> job;
    for (auto it = m_preparing.begin(); it != m_preparing.end(); ++it) {
        if (it->id == jobId) {
            job = *it;
            if (job->ownerId == callerId || mayCancelAny) {
                m_preparing.erase(it); // the load's answer finds it gone; the backend is free again
                QTimer::singleShot(0, this, &JobQueue::schedule);
            }
            break;
        }
    }
    if (!job) {
        const auto it = std::find_if(m_queued.begin(), m_queued.end(),
                                     [&](const store::Job &j) { return j.id == jobId; });
        if (it != m_queued.end()) {
            job = *it;
            if (job->ownerId == callerId || mayCancelAny)
                m_queued.erase(it); // by id, so the right job goes even if the queue moved meanwhile
        }
    }
    if (!job) {
        // Not waiting or running here: finished, failed or unknown. Tell "not yours" from "no such job".
        onResult(
            m_repository.find(jobId), this,
            [callerId, mayCancelAny, done](std::optional<store::Job> found) {
                done(found && found->ownerId != callerId && !mayCancelAny ? CancelStatus::Forbidden
                                                                          : CancelStatus::NotFound);
            },
            [done](bool) { done(CancelStatus::Error); });
        return;
    }
    if (job->ownerId != callerId && !mayCancelAny) {
        done(CancelStatus::Forbidden);
        return;
    }
    m_scheduler.forget(jobId);
    // Through the write chain, after any write still pending for this job, so the DELETE sees its latest
    // state; `removed` is answered only when the row really went.
    auto removed = std::make_shared<bool>(false);
    write(m_repository.removal(jobId, removed), [this, job = *job, removed, done](bool ok) {
        if (ok && *removed) {
            qCInfo(lcQueue).noquote() << "removed queued job" << job.id;
            done(CancelStatus::Removed);
            return;
        }
        qCWarning(lcQueue).noquote() << "job" << job.id << "could not be removed; it stays queued";
        insertQueued(job);
        schedule();
        done(CancelStatus::Error);
    });
}

int JobQueue::queueSize() const {
    int size = m_queued.size() + m_preparing.size();
    for (const BackendWorker *worker : m_workers) // an early job counts once its row is in
        size += worker->busy() && !unstored(worker->current()->id) ? 1 : 0;
    return size;
}

QList<store::Job> JobQueue::running() const {
    QList<store::Job> jobs;
    for (const BackendWorker *worker : m_workers)
        if (worker->current() && !unstored(worker->current()->id))
            jobs.append(*worker->current());
    for (const store::Job &job : m_preparing)
        jobs.append(job);
    return jobs;
}

QList<store::Job> JobQueue::queued() const {
    QList<store::Job> jobs;
    jobs.reserve(m_queued.size());
    for (int index : m_scheduler.order(m_queued))
        jobs.append(m_queued[index]);
    return jobs;
}

int JobQueue::position(const QString &jobId) const {
    for (const BackendWorker *worker : m_workers)
        if (worker->current() && worker->current()->id == jobId)
            return unstored(jobId) ? -1 : 0;
    for (const store::Job &job : m_preparing)
        if (job.id == jobId)
            return 0;
    for (qsizetype i = 0; i < m_queued.size(); ++i)
        if (m_queued[i].id == jobId)
            return m_scheduler.position(m_queued, i) + 1;
    return -1;
}

bool JobQueue::promote(const QString &jobId) {
    for (const store::Job &job : std::as_const(m_queued))
        if (job.id == jobId) {
            m_scheduler.promote(jobId);
            qCInfo(lcQueue).noquote() << "promoted" << jobId << "to the front of the queue";
            return true;
        }
    return false;
}

std::optional<store::JobProgress> JobQueue::progress(const QString &jobId) const {
    const auto it = m_progress.constFind(jobId);
    return it == m_progress.constEnd() ? std::nullopt : std::optional(*it);
}

int JobQueue::retryAfterSeconds() const {
    return qMax(1, (m_writes.maxRetryDelay() + 999) / 1000);
}

void JobQueue::schedule() {
    if (!m_recovered || m_shuttingDown || m_databaseDown)
        return;
    for (BackendWorker *worker : std::as_const(m_workers)) {
        if (!worker->available() || m_preparing.contains(worker) || m_queued.isEmpty())
            continue;
        const int index =
            m_scheduler.pick(m_queued, worker->loadedModel(),
                             [this, worker](const store::Job &job) { return canRun(worker, job); });
        if (index < 0)
            continue;
        store::Job job = m_queued.takeAt(index);
        m_scheduler.served(job.ownerId);
        m_scheduler.forget(job.id);
        m_unservedSince.remove(job.id);
        prepare(worker, job);
    }
}

bool JobQueue::canRun(const BackendWorker *worker, const store::Job &job) const {
    if (worker->hasCheckpoint(job.modelName))
        return true;
    // A checkpoint no backend lists goes anywhere, and Forge decides (as with a single backend).
    return std::none_of(m_workers.begin(), m_workers.end(),
                        [&](const BackendWorker *other) { return other->hasCheckpoint(job.modelName); });
}

bool JobQueue::servable(const store::Job &job) const {
    for (const BackendWorker *worker : m_workers) {
        if (worker->state() == BackendWorker::State::Up && canRun(worker, job))
            return true;
    }
    return false;
}

void JobQueue::failUnservable() {
    if (!m_recovered)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<store::Job> expired;
    for (int i = m_queued.size() - 1; i >= 0; --i) {
        const store::Job &job = m_queued[i];
        if (servable(job)) {
            m_unservedSince.remove(job.id);
            continue;
        }
        const qint64 since = m_unservedSince.value(job.id, now);
        m_unservedSince.insert(job.id, since);
        if (now - since >= m_settings.maxWaitMs)
            expired.prepend(m_queued.takeAt(i));
    }
    for (const store::Job &job : std::as_const(expired)) {
        m_unservedSince.remove(job.id);
        m_scheduler.forget(job.id);
        fail(job, QStringLiteral("NO_BACKEND"),
             QStringLiteral("No Forge backend that offers %1 was available for %2 s (JOB_MAX_WAIT)")
                 .arg(job.modelName)
                 .arg(m_settings.maxWaitMs / 1000));
    }
}

void JobQueue::requeue(const store::Job &job, bool countsAttempt) {
    m_progress.remove(job.id);
    const qint64 sequence = m_earlySequences.take(job.id); // 0 unless it was sent before its row was in
    if (m_discarded.remove(job.id))
        return; // its row was never inserted
    if (countsAttempt && job.attempts >= kMaxAttempts) {
        fail(job, QStringLiteral("BACKEND_LOST"),
             QStringLiteral("Forge lost this job twice (connection dropped or backend restarted); it was not "
                            "retried again"));
        return;
    }
    store::Job retry = job;
    retry.status = QStringLiteral("queued");
    if (!countsAttempt)
        retry.attempts = qMax(0, retry.attempts - 1);
    qCInfo(lcQueue).noquote() << job.id << "goes back to the queue"
                              << (countsAttempt ? "(attempt counted)" : "(never reached Forge)");
    write(m_repository.requeued(job.id, retry.attempts));
    if (const auto early = m_early.find(job.id); early != m_early.end()) {
        early->returned = retry; // queued once its row is in
        return;
    }
    if (sequence > 0)
        retry.sequence = sequence;
    insertQueued(retry); // by its sequence: first among its owner's jobs
    schedule();
}

void JobQueue::prepare(BackendWorker *worker, const store::Job &job) {
    if (!needsInputs(job)) {
        launch(worker, job, forge::txt2imgPayload(job.params, job.id), QStringLiteral("/txt2img"));
        return;
    }
    m_preparing.insert(worker, job);
    // Whether the job still holds this backend when its inputs arrive (a cancel or a shutdown took it away).
    auto stillPreparing = [this, worker, id = job.id] {
        return m_preparing.contains(worker) && m_preparing.value(worker).id == id;
    };
    auto notLoaded = [this, worker, job, stillPreparing](bool unavailable) {
        if (!stillPreparing())
            return;
        m_preparing.remove(worker);
        if (unavailable) { // not the job's fault: it waits in the queue for the database
            insertQueued(job);
            QTimer::singleShot(kRetryDelayMs, this, &JobQueue::schedule);
            return;
        }
        fail(job, QStringLiteral("DATABASE_ERROR"),
             QStringLiteral("The job's input image could not be read"));
        schedule();
    };
    if (job.taskType == QLatin1String("img2img")) {
        onResult(
            m_repository.inputs(job.id), this,
            [this, worker, job, stillPreparing](store::JobInputs inputs) {
                if (!stillPreparing())
                    return;
                // The payload carries megabytes of base64 (init image, mask); every copy into a JSON object
                // converts and moves all of it, so it is built off the event loop.
                common::runInBackground([params = job.params, inputs = std::move(inputs),
                                         id = job.id]() mutable {
                    params.insert("init_image", inputs.initImage);
                    if (!inputs.mask.isEmpty())
                        params.insert("mask", inputs.mask);
                    return forge::img2imgPayload(params, id);
                }).then(this, [this, worker, job, stillPreparing](const QJsonObject &body) {
                    if (stillPreparing())
                        launch(worker, job, body, QStringLiteral("/img2img"));
                });
            },
            notLoaded);
        return;
    }
    if (worker->firstPassPatch() == FirstPassPatch::Unpatched) {
        // Stock Forge cannot start from the stored image: a plain hires run from the stored parameters and
        // seed makes the same image, only slower.
        m_preparing.remove(worker);
        launch(worker, job, forge::txt2imgPayload(job.params, job.id), QStringLiteral("/txt2img"));
        return;
    }
    // An upscale sends the stored first-pass image: from the image cache when it is there (the usual case:
    // it entered when its job finished), so the backend does not wait for a database round trip.
    const QString sourceId = job.params.value("source_image").toString();
    if (const auto cached = m_repository.cachedImage(sourceId)) {
        launch(worker, job,
               forge::txt2imgPayload(job.params, job.id, QString::fromLatin1(cached->png.toBase64())),
               QStringLiteral("/txt2img"));
        return;
    }
    onResult(
        m_repository.image(sourceId), this,
        [this, worker, job, stillPreparing](std::optional<store::StoredImage> source) {
            if (!stillPreparing())
                return;
            if (!source) {
                m_preparing.remove(worker);
                fail(job, QStringLiteral("SOURCE_IMAGE_MISSING"),
                     QStringLiteral("The image to upscale is gone"));
                schedule();
                return;
            }
            launch(worker, job,
                   forge::txt2imgPayload(job.params, job.id, QString::fromLatin1(source->png.toBase64())),
                   QStringLiteral("/txt2img"));
        },
        notLoaded);
}

void JobQueue::launch(BackendWorker *worker, store::Job job, const QJsonObject &body,
                      const QString &endpoint) {
    m_preparing.remove(worker);
    job.status = QStringLiteral("started");
    job.attempts += 1;
    job.startedAt = QDateTime::currentDateTimeUtc();
    ops::metrics().jobWait.observe(secondsSince(job.createdAt));
    write(m_repository.started(job.id, job.attempts, worker->name()));
    worker->run(job, endpoint, body);
}

void JobQueue::onSucceeded(BackendWorker *worker, const store::Job &job, const QByteArray &pngBase64,
                           const QJsonObject &info, bool interrupted) {
    m_progress.remove(job.id);
    m_earlySequences.remove(job.id);
    const bool discarded = m_discarded.remove(job.id); // its row was never inserted
    if (m_abandoned.remove(job.id) || discarded)
        return; // re-queued by the shutdown; it runs again at the next start
    if (job.taskType == QLatin1String("upscale") && worker->firstPassPatch() == FirstPassPatch::Unknown)
        worker->setFirstPassPatch(FirstPassPatch::Patched); // it took the first-pass image
    ops::metrics().jobRun.observe(secondsSince(job.startedAt));
    const QString status = interrupted ? QStringLiteral("interrupted") : QStringLiteral("finished");
    // The image stays in this write until the database has it, however long an outage lasts.
    // Only an img2img job has a job_inputs row to delete (GenerationRequest fills inputs for no other).
    const bool hasInputs = job.taskType == QLatin1String("img2img");
    write(m_repository.finished(job.id, pngBase64, {}, status, hasInputs), [this, worker, job, pngBase64,
                                                                            info, status](bool stored) {
        if (!stored) {
            fail(job, QStringLiteral("DATABASE_ERROR"), QStringLiteral("The image could not be stored"));
            return;
        }
        ops::metrics().jobsFinished.inc({status});
        QJsonObject payload = jobEventPayload(job, QStringLiteral("finished"));
        if (info.contains("seed"))
            payload.insert("seed", info.value("seed"));
        payload.insert("img_path", QStringLiteral("/api/images/") + job.id);
        emitEvent(job, QStringLiteral("task-finished"), payload);
        // Cache Forge's png-info answer for GET /api/images/:id/info (png-info takes no Forge lock).
        worker->pngInfo(pngBase64, [this, id = job.id](const QByteArray &infoData64) {
            if (!infoData64.isEmpty())
                write(m_repository.infoSaved(id, infoData64)); // grouped with the job-state writes
        });
    });
}

void JobQueue::onFailed(BackendWorker *worker, const store::Job &job, const forge::ForgeError &error,
                        bool interrupted) {
    m_progress.remove(job.id);
    m_earlySequences.remove(job.id);
    const ops::LogContext context(job.id, job.ownerId);
    const bool discarded = m_discarded.remove(job.id);
    if (m_abandoned.remove(job.id) || discarded)
        return;
    if (job.taskType == QLatin1String("upscale") && !interrupted &&
        worker->firstPassPatch() != FirstPassPatch::Unpatched && isStockForgeFirstPassFailure(error)) {
        qCWarning(lcQueue).noquote()
            << worker->name()
            << "runs Forge without the first-pass-image patch (see forge_patches/README.md); upscale"
            << job.id << "and later upscales on it run as plain hires jobs";
        worker->setFirstPassPatch(FirstPassPatch::Unpatched);
        store::Job again = job;
        again.status = QStringLiteral("queued");
        again.attempts -= 1; // finding out does not count as a try
        write(m_repository.requeued(job.id, again.attempts));
        insertQueued(again);
        return; // becameIdle() follows and schedules it
    }
    ops::metrics().jobRun.observe(secondsSince(job.startedAt));
    fail(job, error.code, error.message, worker->name(),
         interrupted ? QStringLiteral("interrupted") : QString());
}

void JobQueue::fail(const store::Job &job, const QString &code, const QString &message,
                    const QString &backend, const QString &failureClass) {
    ops::metrics().jobsFailed.inc({code});
    const ops::LogContext context(job.id, job.ownerId);
    qCWarning(lcQueue).noquote() << "job" << job.id << "failed:" << code << message;
    // Clients hear of the failure once the database has it.
    write(m_repository.failed(job.id, code, message),
          [this, job, code, message, backend, failureClass](bool) {
              emitEvent(job, QStringLiteral("task-failed"),
                        failedPayload(job, code, message, backend,
                                      failureClass.isEmpty() ? queue::failureClass(code) : failureClass));
          });
}

void JobQueue::emitEvent(const store::Job &job, const QString &event, const QJsonObject &payload) {
    if (m_events)
        m_events(job.ownerId, job.origin, event, payload);
}

void JobQueue::setDatabaseDown(bool down) {
    if (m_databaseDown == down)
        return;
    m_databaseDown = down;
    if (down) {
        qCCritical(lcQueue) << "the database is unreachable: new jobs are refused (503) and none is started "
                               "until it returns; pending results are kept in memory";
    } else {
        qCInfo(lcQueue) << "the database is back: pending writes done, the queue goes on";
        QTimer::singleShot(0, this, &JobQueue::schedule);
    }
    emit databaseAvailabilityChanged(!down);
}

void JobQueue::shutdown(qint64 graceMs, std::function<void()> done) {
    m_shuttingDown = true;
    m_shutdownDone = std::move(done);
    // Jobs still loading their inputs have not started: they stay queued in the database.
    m_preparing.clear();
    const int runningJobs = static_cast<int>(running().size());
    qCInfo(lcQueue) << "shutting down:" << runningJobs << "running job(s) get up to" << graceMs
                    << "ms to finish;" << m_queued.size() << "queued job(s) stay queued for the next start";
    QTimer::singleShot(graceMs, this, [this] {
        if (!m_shutdownDone)
            return;
        for (BackendWorker *worker : std::as_const(m_workers)) {
            const auto &job = worker->current();
            if (!job || m_discarded.contains(job->id)) // no row to re-queue, and interrupted already
                continue;
            qCWarning(lcQueue).noquote() << "shutdown grace over: interrupting" << job->id
                                         << "and re-queueing it without costing an attempt";
            m_abandoned.insert(job->id);
            write(m_repository.requeued(job->id, job->attempts - 1));
            worker->interrupt();
        }
        m_writes.flush(std::exchange(m_shutdownDone, nullptr));
    });
    finishShutdownIfIdle();
}

void JobQueue::finishShutdownIfIdle() {
    if (!m_shuttingDown || !m_shutdownDone)
        return;
    for (const BackendWorker *worker : std::as_const(m_workers))
        if (worker->busy())
            return;
    m_writes.flush(std::exchange(m_shutdownDone, nullptr));
}

void JobQueue::rememberPreview(const QString &jobId, const QByteArray &png) {
    if (!m_previews.contains(jobId))
        m_previewOrder.append(jobId);
    m_previews.insert(jobId, png);
    while (m_previewOrder.size() > kPreviewsKept)
        m_previews.remove(m_previewOrder.takeFirst());
}

} // namespace nav::queue
