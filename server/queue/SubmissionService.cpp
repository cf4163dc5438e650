#include "server/queue/SubmissionService.h"

#include "server/forge/CatalogMatch.h"
#include "server/store/DbError.h"

namespace nav::queue {

SubmissionService::SubmissionService(JobQueue &queue, store::JobRepository &jobs,
                                     store::CategoryRepository &categories, forge::ForgeCatalog &catalog,
                                     QObject *parent)
    : QObject(parent), m_queue(queue), m_jobs(jobs), m_categories(categories), m_catalog(catalog) {}

template <typename T, typename Next>
void SubmissionService::whenLoaded(QFuture<T> future, const Done &done, Next next) {
    future.then(this, [next = std::move(next)](T value) mutable { next(std::move(value)); })
        .onFailed(this, [done](const std::exception &e) { done(store::DbFailure::from(e)); })
        .onFailed(this, [done] { done(LookupFailure{QStringLiteral("unknown error")}); });
}

void SubmissionService::submit(Submission submission, Done done) {
    checkCategory(std::move(submission), std::move(done));
}

void SubmissionService::checkCategory(Submission submission, Done done) {
    if (!submission.categoryId)
        return loadInitImage(std::move(submission), std::move(done));
    whenLoaded(m_categories.isOwnedBy(*submission.categoryId, submission.job.ownerId), done,
               [this, submission, done](bool owned) {
                   if (!owned)
                       return done(Refusal{403,
                                           QStringLiteral("Category does not exist or you do not own it"),
                                           QStringLiteral("CATEGORY_NOT_OWNED")});
                   loadInitImage(submission, done);
               });
}

void SubmissionService::loadInitImage(Submission submission, Done done) {
    if (submission.initImageJobId.isEmpty())
        return checkCheckpoint(std::move(submission), std::move(done));
    whenLoaded(m_jobs.image(submission.initImageJobId), done,
               [this, submission, done](std::optional<store::StoredImage> image) mutable {
                   if (!image)
                       return done(Refusal{404, QStringLiteral("The init image was not found"),
                                           QStringLiteral("IMAGE_NOT_FOUND")});
                   if (image->ownerId != submission.job.ownerId)
                       return done(Refusal{403, QStringLiteral("The init image is not yours"),
                                           QStringLiteral("IMAGE_NOT_OWNED")});
                   submission.job.inputs.initImage = QString::fromLatin1(image->png.toBase64());
                   checkCheckpoint(std::move(submission), done);
               });
}

void SubmissionService::checkCheckpoint(Submission submission, Done done) {
    m_catalog.cachedCheckpoints([this, submission, done](const QJsonArray &cached, const auto &cachedError) {
        if (cachedError || forge::isKnownCheckpoint(submission.job.modelName, cached))
            return resolveNames(submission, done);
        // Not in the cached list: read it fresh once, in case a checkpoint was added meanwhile.
        m_catalog.checkpoints([this, submission, done](const QJsonArray &fresh, const auto &freshError) {
            if (!freshError && !forge::isKnownCheckpoint(submission.job.modelName, fresh))
                return done(Refusal{400,
                                    QStringLiteral("model_name \"%1\" is not a checkpoint of this server; "
                                                   "GET /api/models lists them")
                                        .arg(submission.job.modelName.left(200)),
                                    QStringLiteral("UNKNOWN_MODEL")});
            resolveNames(submission, done);
        });
    });
}

void SubmissionService::resolveNames(Submission submission, Done done) {
    // Aliases such as "k_euler_a" become names through the cached list; Forge would silently ignore them.
    m_catalog.samplers([this, submission, done](const QJsonArray &samplers, const auto &) mutable {
        QJsonObject &params = submission.job.params;
        params.insert("sampler_name",
                      forge::resolveSampler(params.value("sampler_name").toString(), samplers));
        // Only an upscaler Forge has: an unknown one fails every hires job with "could not find upscaler".
        m_catalog.upscalers([this, submission, done](const QJsonArray &upscalers, const auto &error) mutable {
            if (!error) {
                QJsonObject &params = submission.job.params;
                params.insert("upscaler_name",
                              forge::resolveUpscaler(params.value("upscaler_name").toString(), upscalers));
            }
            enqueue(submission, done);
        });
    });
}

void SubmissionService::enqueue(const Submission &submission, Done done) {
    const store::Job job = submission.job;
    const int perUser = m_queue.settings().maxJobsPerUser;
    const QByteArray retryAfter = QByteArray::number(m_queue.retryAfterSeconds());
    m_queue.enqueue(job, submission.categoryId, submission.capExempt,
                    [job, done, perUser, retryAfter](JobQueue::EnqueueStatus status, int size) {
                        switch (status) {
                        case JobQueue::EnqueueStatus::Queued:
                            return done(Accepted{job, size});
                        case JobQueue::EnqueueStatus::DuplicateId:
                            return done(Refusal{409, QStringLiteral("job_id %1 is already taken").arg(job.id),
                                                QStringLiteral("JOB_ID_TAKEN")});
                        case JobQueue::EnqueueStatus::QueueFull:
                            return done(Refusal{
                                429, QStringLiteral("The queue is full (%1 jobs); try again later").arg(size),
                                QStringLiteral("QUEUE_FULL")});
                        case JobQueue::EnqueueStatus::UserQueueFull:
                            return done(Refusal{429,
                                                QStringLiteral("You already have %1 jobs queued or running "
                                                               "(MAX_JOBS_PER_USER); wait for one to finish")
                                                    .arg(perUser),
                                                QStringLiteral("USER_QUEUE_FULL")});
                        case JobQueue::EnqueueStatus::Unavailable:
                            return done(Refusal{503,
                                                QStringLiteral("The database is unreachable; the job was not "
                                                               "queued. Try again later"),
                                                QStringLiteral("DATABASE_UNAVAILABLE"), retryAfter});
                        case JobQueue::EnqueueStatus::ShuttingDown:
                            return done(Refusal{503,
                                                QStringLiteral("Navigator is shutting down; the job was not "
                                                               "queued. Try again shortly"),
                                                QStringLiteral("SHUTTING_DOWN"), retryAfter});
                        case JobQueue::EnqueueStatus::Error:
                            return done(Refusal{500, QStringLiteral("The job could not be stored"),
                                                QStringLiteral("DATABASE_ERROR")});
                        }
                    });
}

} // namespace nav::queue
