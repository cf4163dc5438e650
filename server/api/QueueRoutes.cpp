#include "server/api/QueueRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/GenerationRequest.h"
#include "server/api/OffLoop.h"
#include "server/api/UpscaleRequest.h"
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/forge/CatalogMatch.h"
#include "server/forge/ForgeCatalog.h"
#include "server/queue/JobEvents.h"
#include "server/queue/JobQueue.h"
#include "server/store/CategoryRepository.h"
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
    explicit QueueApi(Services &s)
        : m{*s.auth, *s.queue, *s.jobs, *s.categories, *s.catalog, *s.forge, *s.config} {}

    // Validates, checks ownership of the category and init image, resolves the sampler alias, and queues.
    // `ownerId` nullopt: the legacy bot endpoints, where the owner comes in the body. Big bodies (img2img
    // with an init image) are parsed and checked off the event loop. `capExempt`: apex users and the
    // superuser token are not held to MAX_JOBS_PER_USER.
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
        store::Job job;
        job.id = request.jobId;
        job.ownerId = ownerId;
        job.origin = m.config.trustProxy.clientAddress(
            QHostAddress(req.remoteAddress), req.header("x-forwarded-for"), req.header("cf-connecting-ip"));
        job.taskType = taskType;
        job.params = request.params;
        job.modelName = request.params.value("model_name").toString();
        checkCategory(request, ownerId, res, [=, *this](std::optional<qint64> categoryId) mutable {
            withInitImage(request, ownerId, res, job, [=, *this](store::Job ready) {
                resolveAndQueue(std::move(ready), categoryId, capExempt, res);
            });
        });
    }

    void checkCategory(const GenerationRequest &request, const QString &ownerId, http::Responder res,
                       std::function<void(std::optional<qint64>)> next) const {
        if (!request.categoryId) {
            next(std::nullopt);
            return;
        }
        const qint64 id = *request.categoryId;
        whenReady(m.categories.isOwnedBy(id, ownerId), res, [res, next, id](bool owned) mutable {
            if (!owned)
                res.error(403, QStringLiteral("Category does not exist or you do not own it"),
                          QStringLiteral("CATEGORY_NOT_OWNED"));
            else
                next(id);
        });
    }

    void withInitImage(const GenerationRequest &request, const QString &ownerId, http::Responder res,
                       store::Job job, std::function<void(store::Job)> next) const {
        if (request.initImageJobId.isEmpty()) {
            next(std::move(job));
            return;
        }
        whenReady(m.jobs.image(request.initImageJobId), res,
                  [res, ownerId, job, next](std::optional<store::StoredImage> image) mutable {
                      if (!image) {
                          res.error(404, QStringLiteral("The init image was not found"),
                                    QStringLiteral("IMAGE_NOT_FOUND"));
                          return;
                      }
                      if (image->ownerId != ownerId) {
                          res.error(403, QStringLiteral("The init image is not yours"),
                                    QStringLiteral("IMAGE_NOT_OWNED"));
                          return;
                      }
                      job.params.insert("init_image", QString::fromLatin1(image->png.toBase64()));
                      next(std::move(job));
                  });
    }

    // Checks the checkpoint and resolves the sampler alias and the hires upscaler against Forge's cached
    // lists, then queues. When Forge cannot be asked, the job is queued as it is (it waits for Forge
    // durably).
    void resolveAndQueue(store::Job job, std::optional<qint64> categoryId, bool capExempt,
                         http::Responder res) const {
        m.catalog.cachedCheckpoints([*this, job, categoryId, capExempt,
                                     res](const QJsonArray &cached, const auto &cachedError) mutable {
            if (cachedError || forge::isKnownCheckpoint(job.modelName, cached)) {
                resolveNames(std::move(job), categoryId, capExempt, res);
                return;
            }
            // Not in the cached list: read it fresh once, in case a checkpoint was added meanwhile.
            m.catalog.checkpoints([*this, job, categoryId, capExempt, res](const QJsonArray &fresh,
                                                                           const auto &freshError) mutable {
                if (!freshError && !forge::isKnownCheckpoint(job.modelName, fresh)) {
                    res.error(400,
                              QStringLiteral("model_name \"%1\" is not a checkpoint of this server; "
                                             "GET /api/models lists them")
                                  .arg(job.modelName.left(200)),
                              QStringLiteral("UNKNOWN_MODEL"));
                    return;
                }
                resolveNames(std::move(job), categoryId, capExempt, res);
            });
        });
    }

    void resolveNames(store::Job job, std::optional<qint64> categoryId, bool capExempt,
                      http::Responder res) const {
        // Aliases such as "k_euler_a" become names through the cached list; Forge would silently ignore them.
        m.catalog.samplers(
            [*this, job, categoryId, capExempt, res](const QJsonArray &samplers, const auto &) mutable {
                job.params.insert("sampler_name",
                                  resolveSampler(job.params.value("sampler_name").toString(), samplers));
                // Only an upscaler Forge has: an unknown one fails every hires job with "could not find
                // upscaler".
                m.catalog.upscalers([*this, job, categoryId, capExempt, res](const QJsonArray &upscalers,
                                                                             const auto &error) mutable {
                    if (!error)
                        job.params.insert(
                            "upscaler_name",
                            forge::resolveUpscaler(job.params.value("upscaler_name").toString(), upscalers));
                    enqueue(std::move(job), categoryId, capExempt, res);
                });
            });
    }

    void enqueue(store::Job job, std::optional<qint64> categoryId, bool capExempt,
                 http::Responder res) const {
        const int perUser = m.queue.settings().maxJobsPerUser;
        const QByteArray retryAfter = QByteArray::number(m.queue.retryAfterSeconds());
        m.queue.enqueue(
            job, categoryId, capExempt,
            [job, res, perUser, retryAfter](queue::JobQueue::EnqueueStatus status, int size) mutable {
                switch (status) {
                case queue::JobQueue::EnqueueStatus::Queued:
                    res.json(200, queuedReply(job, size));
                    break;
                case queue::JobQueue::EnqueueStatus::DuplicateId:
                    res.error(409, QStringLiteral("job_id %1 is already taken").arg(job.id),
                              QStringLiteral("JOB_ID_TAKEN"));
                    break;
                case queue::JobQueue::EnqueueStatus::QueueFull:
                    res.error(429, QStringLiteral("The queue is full (%1 jobs); try again later").arg(size),
                              QStringLiteral("QUEUE_FULL"));
                    break;
                case queue::JobQueue::EnqueueStatus::UserQueueFull:
                    res.error(
                        429,
                        QStringLiteral("You already have %1 jobs queued or running (MAX_JOBS_PER_USER); wait "
                                       "for one to finish")
                            .arg(perUser),
                        QStringLiteral("USER_QUEUE_FULL"));
                    break;
                case queue::JobQueue::EnqueueStatus::Unavailable:
                    res.error(503,
                              QStringLiteral(
                                  "The database is unreachable; the job was not queued. Try again later"),
                              QStringLiteral("DATABASE_UNAVAILABLE"), {{"Retry-After", retryAfter}});
                    break;
                case queue::JobQueue::EnqueueStatus::ShuttingDown:
                    res.error(503,
                              QStringLiteral(
                                  "Navigator is shutting down; the job was not queued. Try again shortly"),
                              QStringLiteral("SHUTTING_DOWN"), {{"Retry-After", retryAfter}});
                    break;
                case queue::JobQueue::EnqueueStatus::Error:
                    res.error(500, QStringLiteral("The job could not be stored"),
                              QStringLiteral("DATABASE_ERROR"));
                    break;
                }
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
                              store::Job job;
                              job.id = newJobId();
                              job.ownerId = caller.discordId;
                              job.origin = m.config.trustProxy.clientAddress(QHostAddress(req.remoteAddress),
                                                                             req.header("x-forwarded-for"),
                                                                             req.header("cf-connecting-ip"));
                              job.taskType = QStringLiteral("upscale");
                              job.params = std::get<QJsonObject>(built);
                              job.modelName = job.params.value("model_name").toString();
                              resolveAndQueue(std::move(job), std::nullopt, capExempt(caller), res);
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
        auth::AuthService &auth;
        queue::JobQueue &queue;
        store::JobRepository &jobs;
        store::CategoryRepository &categories;
        forge::ForgeCatalog &catalog;
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
