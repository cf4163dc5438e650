#pragma once
// Submission: the checks a new job needs beyond its own fields, then the queue. The category must be the
// owner's, an img2img init image ("NAVIGATOR_<jobId>") must be a stored image of the owner (its PNG becomes
// init_image), the checkpoint must be one Forge lists, a sampler alias becomes Forge's name and the hires
// upscaler one Forge has. When Forge cannot be asked, the job is queued as it is (it waits for Forge
// durably). The HTTP handlers parse the request, call submit() and map the outcome; tst_submission drives it
// without HTTP.
#include "server/forge/ForgeCatalog.h"
#include "server/queue/JobQueue.h"
#include "server/store/CategoryRepository.h"
#include "server/store/DbError.h"
#include "server/store/JobRepository.h"

#include <QObject>

#include <functional>
#include <optional>
#include <variant>

namespace nav::queue {

struct Submission {
    store::Job job;                   // id, owner, origin, task type, params and model, as parsed
    std::optional<qint64> categoryId; // checked against the owner
    QString initImageJobId;           // img2img from a stored image: checked against the owner, then loaded
    bool capExempt = false;           // apex users and the superuser token: no MAX_JOBS_PER_USER
};

// Queued: the job as stored (names resolved) and the queue size after it.
struct Accepted {
    store::Job job;
    int queueSize = 0;
};

// Refused, with the HTTP status, message and error code to answer (Retry-After seconds when set).
struct Refusal {
    int status = 400;
    QString message;
    QString code;
    QByteArray retryAfter;
};

// A category or image lookup failed in the database (answered like every other database failure).
using LookupFailure = store::DbFailure;

using SubmissionOutcome = std::variant<Accepted, Refusal, LookupFailure>;

class SubmissionService final : public QObject {
    Q_OBJECT
public:
    SubmissionService(JobQueue &queue, store::JobRepository &jobs, store::CategoryRepository &categories,
                      forge::ForgeCatalog &catalog, QObject *parent = nullptr);

    // `done` runs once, on this object's thread, unless the service is destroyed first.
    void submit(Submission submission, std::function<void(const SubmissionOutcome &)> done);

private:
    using Done = std::function<void(const SubmissionOutcome &)>;
    void checkCategory(Submission submission, Done done);
    void loadInitImage(Submission submission, Done done);
    void checkCheckpoint(Submission submission, Done done);
    void resolveNames(Submission submission, Done done);
    void enqueue(const Submission &submission, Done done);
    // Continues with `next` when `future` has a value, or ends with a LookupFailure.
    template <typename T, typename Next> void whenLoaded(QFuture<T> future, const Done &done, Next next);

    JobQueue &m_queue;
    store::JobRepository &m_jobs;
    store::CategoryRepository &m_categories;
    forge::ForgeCatalog &m_catalog;
};

} // namespace nav::queue
