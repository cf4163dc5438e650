#include "server/queue/JobQueue.h"

#include "server/forge/GenerationPayload.h"
#include "server/ops/Logging.h"
#include "server/ops/ServiceMetrics.h"
#include "server/queue/JobEvents.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcQueue)

namespace nav::queue {

namespace {

constexpr int kPreviewsKept = 64;
constexpr int kRetryDelayMs = 1000;
constexpr int kMaxAttempts = 2; // a job is started at most twice (a refused connection or a restart)

double secondsSince(const QDateTime &from) {
    return from.isValid() ? static_cast<double>(from.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0 : 0.0;
}

// Runs `then` on the main thread when the database future is done; logs failures.
template <typename T, typename F> void onDone(QFuture<T> future, QObject *context, F then) {
    if constexpr (std::is_void_v<T>) {
        future.then(context, [then]() mutable { then(true); })
            .onFailed(context, [then](const std::exception &e) mutable {
                qCCritical(lcQueue) << "database error:" << e.what();
                then(false);
            });
    } else {
        future.then(context, [then](T value) mutable { then(std::optional<T>(std::move(value))); })
            .onFailed(context, [then](const std::exception &e) mutable {
                qCCritical(lcQueue) << "database error:" << e.what();
                then(std::optional<T>());
            });
    }
}

// Stock Forge hands firstpass_image to processing as text, and numpy fails to read it as pixels.
bool isStockForgeFirstPassFailure(const forge::ForgeError &error) {
    return error.httpStatus == 500 &&
           error.message.contains(QLatin1String("could not convert string to float"));
}

} // namespace

JobQueue::JobQueue(store::JobRepository &repository, JobEventSink events, int maxQueueLength, QObject *parent)
    : QObject(parent), m_repository(repository), m_events(std::move(events)),
      m_maxQueueLength(maxQueueLength) {}

void JobQueue::addBackend(BackendWorker *worker) {
    m_workers.append(worker);
    connect(worker, &BackendWorker::started, this, [this](const store::Job &job) {
        emitEvent(job, QStringLiteral("task-started"), [&] {
            QJsonObject payload = jobEventPayload(job, QStringLiteral("started"));
            payload.insert("queue_size", queueSize());
            return payload;
        }());
    });
    connect(worker, &BackendWorker::modelChanged, this, [this](const store::Job &job, const QString &model) {
        emitEvent(job, QStringLiteral("model-changed"),
                  QJsonObject{{"model_name", model}, {"job_id", job.id}});
    });
    connect(worker, &BackendWorker::progressed, this,
            [this](const store::Job &job, const store::JobProgress &progress, const QByteArray &preview) {
                m_progress.insert(job.id, progress);
                if (!preview.isEmpty()) {
                    rememberPreview(job.id, preview);
                    write([=] { return m_repository.savePreview(job.id, preview.toBase64()); }, [](bool) {});
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
    connect(worker, &BackendWorker::becameIdle, this, &JobQueue::schedule);
}

void JobQueue::recover(std::function<void(const QString &)> done) {
    onDone(m_repository.active(), this, [this, done](std::optional<QList<store::Job>> jobs) {
        if (!jobs) {
            done(QStringLiteral("cannot read the job queue from the database"));
            return;
        }
        int requeued = 0;
        for (store::Job job : *jobs) {
            if (job.status == QLatin1String("started")) {
                if (job.attempts >= kMaxAttempts) {
                    fail(job, QStringLiteral("INTERRUPTED_BY_RESTART"),
                         QStringLiteral(
                             "Navigator stopped twice while this job was running; it was not retried again"));
                    continue;
                }
                write([=] { return m_repository.markQueued(job.id); }, [](bool) {});
                job.status = QStringLiteral("queued");
                ++requeued;
            }
            m_queued.append(job);
        }
        qCInfo(lcQueue) << "queue recovered:" << m_queued.size() << "jobs waiting," << requeued
                        << "re-queued after an interrupted run";
        m_recovered = true;
        done({});
        schedule();
    });
}

void JobQueue::enqueue(store::Job job, std::optional<qint64> categoryId,
                       std::function<void(EnqueueStatus, int)> done) {
    if (m_queued.size() >= m_maxQueueLength) {
        done(EnqueueStatus::QueueFull, queueSize());
        return;
    }
    job.status = QStringLiteral("queued");
    job.createdAt = QDateTime::currentDateTimeUtc();
    onDone(m_repository.enqueue(job, categoryId), this,
           [this, job, done](std::optional<store::JobRepository::EnqueueResult> result) {
               if (!result) {
                   done(EnqueueStatus::Error, queueSize());
                   return;
               }
               if (*result == store::JobRepository::EnqueueResult::DuplicateId) {
                   done(EnqueueStatus::DuplicateId, queueSize());
                   return;
               }
               m_queued.append(job);
               ops::metrics().jobsSubmitted.inc();
               const int size = queueSize();
               const ops::LogContext context(job.id, job.ownerId);
               qCInfo(lcQueue).noquote()
                   << "queued" << job.id << "for" << job.ownerId << "- queue size" << size;
               QJsonObject payload = jobEventPayload(job, QStringLiteral("queued"));
               payload.insert("queue_size", size);
               payload.insert("position", position(job.id));
               emitEvent(job, QStringLiteral("task-queued"), payload);
               done(EnqueueStatus::Queued, size);
               schedule();
           });
}

void JobQueue::cancel(const QString &jobId, const QString &callerId, bool mayCancelAny,
                      std::function<void(CancelStatus)> done) {
    for (BackendWorker *worker : std::as_const(m_workers)) {
        const auto &running = worker->current();
        if (!running || running->id != jobId)
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
    const auto it =
        std::find_if(m_queued.begin(), m_queued.end(), [&](const store::Job &j) { return j.id == jobId; });
    if (it == m_queued.end()) {
        // Not waiting or running here: finished, failed or unknown. Tell "not yours" from "no such job".
        onDone(m_repository.find(jobId), this,
               [callerId, mayCancelAny, done](std::optional<std::optional<store::Job>> found) {
                   if (!found)
                       done(CancelStatus::Error);
                   else if (*found && (*found)->ownerId != callerId && !mayCancelAny)
                       done(CancelStatus::Forbidden);
                   else
                       done(CancelStatus::NotFound);
               });
        return;
    }
    if (it->ownerId != callerId && !mayCancelAny) {
        done(CancelStatus::Forbidden);
        return;
    }
    const store::Job job = *it;
    m_queued.erase(it); // by id, so the right job goes even if the queue moved meanwhile
    onDone(m_repository.removeQueued(jobId), this, [this, job, done](std::optional<bool> removed) {
        if (!removed) {
            m_queued.append(job); // keep it: the database still has it
            std::sort(m_queued.begin(), m_queued.end(),
                      [](const store::Job &a, const store::Job &b) { return a.sequence < b.sequence; });
            done(CancelStatus::Error);
            return;
        }
        qCInfo(lcQueue).noquote() << "removed queued job" << job.id;
        done(CancelStatus::Removed);
    });
}

int JobQueue::queueSize() const {
    int size = m_queued.size();
    for (const BackendWorker *worker : m_workers)
        size += worker->busy() ? 1 : 0;
    return size;
}

QList<store::Job> JobQueue::running() const {
    QList<store::Job> jobs;
    for (const BackendWorker *worker : m_workers)
        if (worker->current())
            jobs.append(*worker->current());
    return jobs;
}

int JobQueue::position(const QString &jobId) const {
    for (const BackendWorker *worker : m_workers)
        if (worker->current() && worker->current()->id == jobId)
            return 0;
    for (int i = 0; i < m_queued.size(); ++i)
        if (m_queued[i].id == jobId)
            return i + 1;
    return -1;
}

std::optional<store::JobProgress> JobQueue::progress(const QString &jobId) const {
    const auto it = m_progress.constFind(jobId);
    return it == m_progress.constEnd() ? std::nullopt : std::optional(*it);
}

void JobQueue::schedule() {
    if (!m_recovered)
        return;
    for (BackendWorker *worker : std::as_const(m_workers)) {
        if (worker->busy() || m_queued.isEmpty())
            continue;
        const int index = m_scheduler.pick(m_queued, worker->loadedModel());
        if (index < 0)
            continue;
        store::Job job = m_queued.takeAt(index);
        m_scheduler.served(job.ownerId);
        start(worker, job);
    }
}

void JobQueue::start(BackendWorker *worker, const store::Job &queuedJob) {
    store::Job job = queuedJob;
    job.status = QStringLiteral("started");
    job.attempts += 1;
    job.startedAt = QDateTime::currentDateTimeUtc();
    ops::metrics().jobWait.observe(secondsSince(job.createdAt));
    write([=] { return m_repository.markStarted(job.id, job.attempts, worker->name()); }, [](bool) {});
    if (job.taskType == QLatin1String("img2img")) {
        worker->run(job, QStringLiteral("/img2img"), forge::img2imgPayload(job.params, job.id));
        return;
    }
    if (job.taskType != QLatin1String("upscale")) {
        worker->run(job, QStringLiteral("/txt2img"), forge::txt2imgPayload(job.params, job.id));
        return;
    }
    if (worker->firstPassPatch() == FirstPassPatch::Unpatched) {
        // Stock Forge cannot start from the stored image: a plain hires run from the stored parameters and
        // seed makes the same image, only slower.
        worker->run(job, QStringLiteral("/txt2img"), forge::txt2imgPayload(job.params, job.id));
        return;
    }
    // An upscale sends the stored first-pass image: from the image cache when it is there (the usual case:
    // it entered when its job finished), so the backend does not wait for a database round trip.
    const QString sourceId = job.params.value("source_image").toString();
    if (const auto cached = m_repository.cachedImage(sourceId)) {
        worker->run(job, QStringLiteral("/txt2img"),
                    forge::txt2imgPayload(job.params, job.id, QString::fromLatin1(cached->png.toBase64())));
        return;
    }
    // Otherwise it is loaded first; if the backend was taken meanwhile, the job goes back to the front of the
    // queue.
    onDone(m_repository.image(sourceId), this,
           [this, worker, job](std::optional<std::optional<store::StoredImage>> source) {
               if (!source || !*source) {
                   fail(job, QStringLiteral("SOURCE_IMAGE_MISSING"),
                        QStringLiteral("The image to upscale is gone"));
                   schedule();
                   return;
               }
               if (worker->busy()) { // another job took the backend meanwhile: wait for the next turn
                   m_queued.prepend(job);
                   return;
               }
               worker->run(
                   job, QStringLiteral("/txt2img"),
                   forge::txt2imgPayload(job.params, job.id, QString::fromLatin1((*source)->png.toBase64())));
           });
}

void JobQueue::onSucceeded(BackendWorker *worker, const store::Job &job, const QByteArray &pngBase64,
                           const QJsonObject &info, bool interrupted) {
    m_progress.remove(job.id);
    if (job.taskType == QLatin1String("upscale") && worker->firstPassPatch() == FirstPassPatch::Unknown)
        worker->setFirstPassPatch(FirstPassPatch::Patched); // it took the first-pass image
    ops::metrics().jobRun.observe(secondsSince(job.startedAt));
    const QString status = interrupted ? QStringLiteral("interrupted") : QStringLiteral("finished");
    write([=] { return m_repository.markFinished(job.id, pngBase64, {}, status); },
          [this, worker, job, pngBase64, info, status](bool stored) {
              if (!stored) {
                  fail(job, QStringLiteral("DATABASE_ERROR"),
                       QStringLiteral("The image could not be stored"));
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
                      onDone(m_repository.saveInfo(id, infoData64), this, [](bool) {});
              });
          });
}

void JobQueue::onFailed(BackendWorker *worker, const store::Job &job, const forge::ForgeError &error,
                        bool interrupted) {
    m_progress.remove(job.id);
    const ops::LogContext context(job.id, job.ownerId);
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
        write([=] { return m_repository.markQueued(job.id); }, [](bool) {});
        m_queued.prepend(again);
        return; // becameIdle() follows and schedules it
    }
    if (error.neverDelivered && job.attempts < kMaxAttempts && !interrupted) {
        qCWarning(lcQueue).noquote() << job.id << "was refused by Forge; retrying once";
        write([=] { return m_repository.markQueued(job.id); }, [](bool) {});
        store::Job retry = job;
        retry.status = QStringLiteral("queued");
        // Back at the front only after the delay: becameIdle() schedules at once, and an immediate retry
        // would meet the same refusal.
        QTimer::singleShot(kRetryDelayMs, this, [this, retry] {
            m_queued.prepend(retry);
            schedule();
        });
        return;
    }
    ops::metrics().jobRun.observe(secondsSince(job.startedAt));
    fail(job, error.code, error.message, worker->name());
}

void JobQueue::fail(const store::Job &job, const QString &code, const QString &message,
                    const QString &backend) {
    ops::metrics().jobsFailed.inc({code});
    const ops::LogContext context(job.id, job.ownerId);
    qCWarning(lcQueue).noquote() << "job" << job.id << "failed:" << code << message;
    write([=] { return m_repository.markFailed(job.id, code, message); }, [](bool) {});
    emitEvent(job, QStringLiteral("task-failed"), failedPayload(job, code, message, backend));
}

void JobQueue::emitEvent(const store::Job &job, const QString &event, const QJsonObject &payload) {
    if (m_events)
        m_events(job.ownerId, job.origin, event, payload);
}

void JobQueue::write(std::function<QFuture<void>()> op, std::function<void(bool)> done) {
    m_writes.append({std::move(op), std::move(done)});
    if (!m_writing)
        runNextWrite();
}

void JobQueue::runNextWrite() {
    if (m_writes.isEmpty()) {
        m_writing = false;
        return;
    }
    m_writing = true;
    PendingWrite next = m_writes.takeFirst();
    onDone(next.op(), this, [this, done = std::move(next.done)](bool ok) {
        if (done)
            done(ok);
        runNextWrite();
    });
}

void JobQueue::rememberPreview(const QString &jobId, const QByteArray &png) {
    if (!m_previews.contains(jobId))
        m_previewOrder.append(jobId);
    m_previews.insert(jobId, png);
    while (m_previewOrder.size() > kPreviewsKept)
        m_previews.remove(m_previewOrder.takeFirst());
}

} // namespace nav::queue
