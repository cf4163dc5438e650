#include "server/api/QueueRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/GenerationRequest.h"
#include "server/api/OffLoop.h"
#include "server/api/UpscaleRequest.h"
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/forge/ForgeClient.h"
#include "server/queue/JobEvents.h"
#include "server/queue/JobQueue.h"
#include "server/queue/SubmissionService.h"
#include "server/store/JobRepository.h"
#include "shared/JsonUtil.h"

#include <QHostAddress>
#include <QJsonArray>

namespace nav::api {

namespace {

QJsonObject queuedReply(const store::Job &job, int queueSize) {
    QJsonObject reply = queue::jobEventPayload(job, QStringLiteral("queued"));
    reply.insert("queue_size", queueSize);
    return reply;
}

QJsonObject jobState(const store::Job &job, const QString &status, int position,
                     const std::optional<store::JobProgress> &progress, bool hasPreview = false) {
    QJsonObject state = queue::jobEventPayload(job, status);
    state.insert("position", position);
    state.insert("created_at", job.createdAt.toString(Qt::ISODate));
    if (job.startedAt.isValid())
        state.insert("started_at", job.startedAt.toString(Qt::ISODate));
    if (job.finishedAt.isValid())
        state.insert("finished_at", job.finishedAt.toString(Qt::ISODate));
    if (progress) {
        state.insert("progress", progress->progress);
        state.insert("eta_relative", progress->etaRelative);
        state.insert("current_step", progress->currentStep);
        state.insert("total_steps", progress->totalSteps);
        if (hasPreview) // as in task-progress: only a URL that answers 200
            state.insert("progress_path", QStringLiteral("/api/previews/") + job.id);
    }
    if (status == QLatin1String("finished") || status == QLatin1String("interrupted"))
        state.insert("img_path", QStringLiteral("/api/images/") + job.id);
    if (!job.errorCode.isEmpty())
        state.insert("error", QJsonObject{{"code", job.errorCode},
                                          {"message", job.errorMessage},
                                          {"fatal", true},
                                          {"class", queue::failureClass(job.errorCode)}});
    return state;
}

bool capExempt(const auth::Caller &caller) {
    return caller.superuser || caller.role >= auth::RoleApex;
}

class QueueApi {
public:
    explicit QueueApi(Services &s) : m{*s.queue, *s.submissions, *s.jobs, *s.forge, *s.config} {}

    // Parses and validates the request, then hands it to the submission service (category, init image,
    // checkpoint and names, queue) and answers its outcome. `ownerId` nullopt: the legacy bot endpoints,
    // where the owner comes in the body. Big bodies (img2img with an init image) are parsed and checked off
    // the event loop. `capExempt`: apex users and the superuser token are not held to MAX_JOBS_PER_USER.
    void submit(const http::Request &req, http::Responder res, const std::optional<QString> &ownerId,
                const QString &taskType, bool capExempt) const {
        using Parsed = std::variant<std::pair<GenerationRequest, QString>, RequestError>;
        auto parse =
            [body = req.body, ownerId, taskType,
             limits = RequestLimits{m.config.imagePixelLimit, m.config.inputImagePixelLimit}]() -> Parsed {
            const auto object = json::parseObject(body);
            if (!object)
                return RequestError{400, QStringLiteral("The request body must be a JSON object"),
                                    QStringLiteral("INVALID_JSON")};
            const QString owner = ownerId ? *ownerId : object->value("owner_id").toVariant().toString();
            if (owner.isEmpty())
                return RequestError{400, QStringLiteral("Missing authentication data"),
                                    QStringLiteral("MISSING_OWNER")};
            auto parsed = parseGenerationRequest(*object, taskType, limits);
            if (auto *error = std::get_if<RequestError>(&parsed))
                return *error;
            return std::pair(std::get<GenerationRequest>(std::move(parsed)), owner);
        };
        runMaybeOffLoop(req.body.size() >= kOffLoopBodyBytes, std::move(parse),
                        [*this, req, res, taskType, capExempt](Parsed parsed) mutable {
                            if (auto *error = std::get_if<RequestError>(&parsed)) {
                                res.error(error->status, error->message, error->code);
                                return;
                            }
                            auto [request, owner] = std::get<0>(std::move(parsed));
                            queueParsed(req, res, std::move(request), owner, taskType, capExempt);
                        });
    }

    void queueParsed(const http::Request &req, http::Responder res, GenerationRequest request,
                     const QString &ownerId, const QString &taskType, bool capExempt) const {
        queue::Submission submission;
        submission.job.id = request.jobId;
        submission.job.ownerId = ownerId;
        submission.job.origin = clientAddress(req);
        submission.job.taskType = taskType;
        submission.job.params = request.params;
        submission.job.inputs = std::move(request.inputs);
        submission.job.modelName = request.params.value("model_name").toString();
        submission.categoryId = request.categoryId;
        submission.initImageJobId = request.initImageJobId;
        submission.capExempt = capExempt;
        submit(std::move(submission), res);
    }

    QString clientAddress(const http::Request &req) const {
        return m.config.trustProxy.clientAddress(
            QHostAddress(req.remoteAddress), req.header("x-forwarded-for"), req.header("cf-connecting-ip"));
    }

    void submit(queue::Submission submission, http::Responder res) const {
        m.submissions.submit(std::move(submission), [res](const queue::SubmissionOutcome &outcome) mutable {
            if (const auto *accepted = std::get_if<queue::Accepted>(&outcome))
                return res.json(200, queuedReply(accepted->job, accepted->queueSize));
            if (const auto *failure = std::get_if<queue::LookupFailure>(&outcome))
                return answerDatabaseError(res, *failure);
            const auto &refusal = std::get<queue::Refusal>(outcome);
            http::HeaderList headers;
            if (!refusal.retryAfter.isEmpty())
                headers.append({"Retry-After", refusal.retryAfter});
            res.error(refusal.status, refusal.message, refusal.code, headers);
        });
    }

    void upscale(const http::Request &req, http::Responder res, const auth::Caller &caller) const {
        const QString sourceId = req.param("jobId");
        const auto body = req.jsonBody();
        if (!body) {
            res.error(400, QStringLiteral("The request body must be a JSON object"),
                      QStringLiteral("INVALID_JSON"));
            return;
        }
        whenReady(m.jobs.image(sourceId), res,
                  [*this, req, res, caller, sourceId,
                   overrides = *body](std::optional<store::StoredImage> image) mutable {
                      if (!image) {
                          res.error(404, QStringLiteral("No finished image %1").arg(sourceId),
                                    QStringLiteral("IMAGE_NOT_FOUND"));
                          return;
                      }
                      if (image->ownerId != caller.discordId) {
                          res.error(403, QStringLiteral("The image is not yours"),
                                    QStringLiteral("IMAGE_NOT_OWNED"));
                          return;
                      }
                      withPngInfo(
                          *image, res,
                          [*this, req, res, caller, sourceId, overrides](const QJsonObject &info) mutable {
                              auto built =
                                  buildUpscaleParams(info, overrides, sourceId, m.config.imagePixelLimit);
                              if (auto *error = std::get_if<RequestError>(&built)) {
                                  res.error(error->status, error->message, error->code);
                                  return;
                              }
                              queue::Submission submission;
                              submission.job.id = newJobId();
                              submission.job.ownerId = caller.discordId;
                              submission.job.origin = clientAddress(req);
                              submission.job.taskType = QStringLiteral("upscale");
                              submission.job.params = std::get<QJsonObject>(built);
                              submission.job.modelName = submission.job.params.value("model_name").toString();
                              submission.capExempt = capExempt(caller);
                              submit(std::move(submission), res);
                          });
                  });
    }

    // png-info of a stored image: the cached copy, or Forge's answer.
    void withPngInfo(const store::StoredImage &image, http::Responder res,
                     std::function<void(QJsonObject)> next) const {
        if (!image.infoData64.isEmpty()) {
            next(QJsonDocument::fromJson(QByteArray::fromBase64(image.infoData64)).object());
            return;
        }
        m.forge.post(
            "/png-info", QJsonObject{{"image", QString::fromLatin1(image.png.toBase64())}},
            [res, next](const QJsonDocument &body, const std::optional<forge::ForgeError> &error) mutable {
                if (error)
                    res.error(502,
                              QStringLiteral("Forge could not read the image parameters: ") + error->message,
                              QStringLiteral("BACKEND_UNAVAILABLE"));
                else
                    next(body.object());
            });
    }

    void interrupt(const http::Request &req, http::Responder res, const auth::Caller &caller) const {
        m.queue.cancel(
            req.param("jobId"), caller.discordId, caller.role >= auth::RoleArchitect,
            [res](queue::JobQueue::CancelStatus status) mutable {
                using S = queue::JobQueue::CancelStatus;
                switch (status) {
                case S::Interrupted:
                    res.json(200, QJsonObject{{"message", "Job interrupted"}, {"status", "interrupted"}});
                    break;
                case S::Removed:
                    res.json(200,
                             QJsonObject{{"message", "Job removed from the queue"}, {"status", "removed"}});
                    break;
                case S::NotFound:
                    res.error(404, QStringLiteral("No queued or running job with this id"),
                              QStringLiteral("JOB_NOT_FOUND"));
                    break;
                case S::Forbidden:
                    res.error(403, QStringLiteral("This job is not yours"), QStringLiteral("JOB_NOT_OWNED"));
                    break;
                case S::Error:
                    res.error(500, QStringLiteral("The job could not be removed"),
                              QStringLiteral("DATABASE_ERROR"));
                    break;
                }
            });
    }

    void listMine(http::Responder res, const auth::Caller &caller) const {
        QJsonArray jobs;
        for (const store::Job &job : m.queue.running())
            if (job.ownerId == caller.discordId)
                jobs.append(jobState(job, QStringLiteral("started"), 0, m.queue.progress(job.id),
                                     m.queue.hasPreview(job.id)));
        const auto queued = m.queue.queued(); // in dispatch order
        for (int i = 0; i < queued.size(); ++i)
            if (queued[i].ownerId == caller.discordId)
                jobs.append(jobState(queued[i], QStringLiteral("queued"), i + 1, std::nullopt));
        res.json(200, QJsonObject{{"jobs", jobs}, {"queue_size", m.queue.queueSize()}});
    }

    void one(const http::Request &req, http::Responder res, const auth::Caller &caller) const {
        const QString id = req.param("jobId");
        whenReady(m.jobs.find(id), res, [*this, res, caller, id](std::optional<store::Job> job) mutable {
            if (!job) {
                res.error(404, QStringLiteral("No job %1").arg(id), QStringLiteral("JOB_NOT_FOUND"));
                return;
            }
            if (job->ownerId != caller.discordId && caller.role < auth::RoleArchitect) {
                res.error(403, QStringLiteral("This job is not yours"), QStringLiteral("JOB_NOT_OWNED"));
                return;
            }
            const int position = m.queue.position(id);
            const QString status = position == 0 ? QStringLiteral("started") : job->status;
            res.json(200, jobState(*job, status, position, m.queue.progress(id), m.queue.hasPreview(id)));
        });
    }

    struct {
        queue::JobQueue &queue;
        queue::SubmissionService &submissions;
        store::JobRepository &jobs;
        forge::ForgeClient &forge;
        const config::Config &config;
    } m;
};

// The original Discord bot's endpoints: no authentication, the owner comes in the body.
void submitLegacy(Services &s, const http::Request &req, http::Responder res, const QString &type) {
    if (!s.config->allowLegacyBotEndpoints) {
        res.json(400, QJsonObject{{"error", QStringLiteral("This endpoint is not enabled. Please use "
                                                           "/api/queue/user/%1 instead.")
                                                .arg(type)},
                                  {"error_code", "LEGACY_ENDPOINT_DISABLED"}});
        return;
    }
    QueueApi(s).submit(req, res, std::nullopt, type, false);
}

} // namespace

void submitTxt2img(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    QueueApi(s).submit(req, res, caller.discordId, QStringLiteral("txt2img"), capExempt(caller));
}

void submitImg2img(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    QueueApi(s).submit(req, res, caller.discordId, QStringLiteral("img2img"), capExempt(caller));
}

void submitTxt2imgLegacy(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    submitLegacy(s, req, res, QStringLiteral("txt2img"));
}

void submitImg2imgLegacy(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    submitLegacy(s, req, res, QStringLiteral("img2img"));
}

void submitUpscale(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    QueueApi(s).upscale(req, res, caller);
}

void interruptJob(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    QueueApi(s).interrupt(req, res, caller);
}

void listMyJobs(Services &s, const http::Request &, http::Responder res, const auth::Caller &caller) {
    QueueApi(s).listMine(res, caller);
}

void getJob(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    QueueApi(s).one(req, res, caller);
}

} // namespace nav::api
