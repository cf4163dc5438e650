#pragma once
// The jobs table (the durable queue) and the image writes of the pipeline. A job and its images row are
// created together in one transaction; a finished image and its job status are written together too, so a
// crash never leaves an image without its job state or the other way round.
#include "server/store/Database.h"
#include "server/store/ImageCache.h"
#include "server/store/Job.h"

#include <QFuture>
#include <QList>

#include <functional>
#include <memory>
#include <optional>

namespace nav::store {

// The large inputs of an img2img job, kept in job_inputs (not in jobs.params) so that job-state reads and the
// in-memory queue never carry them; loaded only when the job is about to start.
struct StoredImage {
    QByteArray png;        // decoded PNG bytes
    QByteArray infoData64; // cached png-info answer (base64 JSON), may be empty
    QString ownerId;
};

// One job-state change. JobRepository::apply() runs the statements of several of them, in order, inside one
// transaction. On the pool thread, once that transaction has committed: `committed` (may be empty) runs
// before apply()'s future reports the commit, `afterwards` (may be empty; for work that takes milliseconds)
// right after it, so the caller does not wait for it.
struct JobWrite {
    QString jobId;
    std::function<void(QSqlDatabase &)> statements;
    std::function<void()> committed;
    std::function<void()> afterwards;
    // The statements make their change atomically on their own: one statement, or one followed by others
    // only when it changed less than everything. A batch of this write alone runs without BEGIN and COMMIT,
    // two of the four server round trips a finished job cost on MariaDB before task-finished could go out.
    bool atomic = false;
};

class JobRepository final {
public:
    // `imageCache` (optional) gets every image this repository writes or loads for serving.
    explicit JobRepository(Database &db, ImageCache *imageCache = nullptr)
        : m_db(db), m_imageCache(imageCache) {}

    enum class EnqueueResult { Inserted, DuplicateId };
    struct Enqueued {
        EnqueueResult result = EnqueueResult::Inserted;
        qint64 sequence = 0; // jobs.sequence the database gave the new row: the one FIFO order
    };
    // Inserts the jobs row, the (empty) images row and, for img2img, the job_inputs row: `init_image` and
    // `mask` are taken out of job.params and stored there. `categoryId` may be null.
    QFuture<Enqueued> enqueue(const Job &job, std::optional<qint64> categoryId);
    struct NewJob {
        Job job;
        std::optional<qint64> categoryId;
    };
    // Inserts several new jobs in one transaction, in order; one result per job (a duplicate id is a result,
    // not a failure). When a statement fails, none is inserted and the future fails with its DbError.
    QFuture<QList<Enqueued>> enqueueAll(QList<NewJob> batch);
    // The init image and mask of a job (empty strings when it has none).
    QFuture<JobInputs> inputs(const QString &jobId);
    // queued and started jobs, in FIFO order
    QFuture<QList<Job>> active();
    QFuture<std::optional<Job>> find(const QString &jobId);
    // The most recent finished/failed/interrupted jobs, newest first.
    QFuture<QList<Job>> recent(int limit);

    // The job-state changes, for apply().
    JobWrite started(const QString &jobId, int attempts, const QString &backend) const;
    // Back to queued. `attempts` >= 0 also resets the attempt count (a shutdown re-queues without cost).
    JobWrite requeued(const QString &jobId, int attempts = -1) const;
    // Stores the image (base64 in images.image_data, as the original does) and ends the job with `status`:
    // both in the same transaction, so a crash never leaves one without the other (on MariaDB one statement
    // updates both tables, unless the job has inputs). `hasInputs`: the job may have a job_inputs row
    // (img2img), which goes too; false saves that statement for the others.
    JobWrite finished(const QString &jobId, const QByteArray &pngBase64, const QByteArray &infoData64,
                      const QString &status, bool hasInputs = true) const;
    JobWrite failed(const QString &jobId, const QString &code, const QString &message) const;
    // Caches Forge's png-info answer (base64 JSON) of a finished image.
    JobWrite infoSaved(const QString &jobId, const QByteArray &infoData64) const;
    // Deletes a job that is still queued, with its images and job_inputs rows; `*removed` says whether it
    // was still queued (it is set again if the write runs again).
    JobWrite removal(const QString &jobId, std::shared_ptr<bool> removed) const;
    // Runs `batch` in order in one transaction (the job-state write chain groups its pending writes so).
    // When one statement fails the whole batch is rolled back and the future fails with its DbError. The
    // future finishes once the batch has committed and its `committed` steps ran, before its `afterwards`.
    QFuture<void> apply(QList<JobWrite> batch);

    // One write in its own transaction (tests and tools).
    QFuture<void> markStarted(const QString &jobId, int attempts, const QString &backend) {
        return apply({started(jobId, attempts, backend)});
    }
    QFuture<void> markFinished(const QString &jobId, const QByteArray &pngBase64,
                               const QByteArray &infoData64, const QString &status) {
        return apply({finished(jobId, pngBase64, infoData64, status)});
    }
    QFuture<void> markFailed(const QString &jobId, const QString &code, const QString &message) {
        return apply({failed(jobId, code, message)});
    }

    QFuture<void> savePreview(const QString &jobId, const QByteArray &pngBase64);
    QFuture<void> saveInfo(const QString &jobId, const QByteArray &infoData64) {
        return apply({infoSaved(jobId, infoData64)});
    }
    QFuture<std::optional<StoredImage>> image(const QString &imageId);
    QFuture<std::optional<QByteArray>> preview(const QString &imageId);
    // A finished image with its ETag for GET /api/images/:id: from memory (nullopt on a miss, never blocks)
    // or from the database, decoded and hashed on the pool and then kept in the cache.
    std::optional<CachedImage> cachedImage(const QString &imageId) const;
    QFuture<std::optional<CachedImage>> loadImage(const QString &imageId);

private:
    // Inserts `batch` in order (inside the caller's transaction): one duplicate check and one images insert
    // for a group of jobs rather than one of each per job, then each job's row (its sequence comes back).
    static QList<Enqueued> insertNew(QSqlDatabase &db, const QList<NewJob> &batch);
    Database &m_db;
    ImageCache *m_imageCache;
};

} // namespace nav::store
