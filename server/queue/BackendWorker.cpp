#include "server/queue/BackendWorker.h"

#include "server/forge/GenerationPayload.h"
#include "server/ops/Logging.h"
#include "server/ops/ServiceMetrics.h"
#include "server/queue/QueueLogging_p.h"
#include "server/queue/Scheduler.h"

#include <QJsonArray>

Q_LOGGING_CATEGORY(lcQueue, "navigator.queue")

namespace nav::queue {

namespace {

constexpr int kPollTimeoutMs = 5000;
constexpr int kCollectTimeoutMs = 60'000; // a kept result is the whole generation reply, images included
constexpr int kProbeTimeoutMs = 5000;
constexpr int kFirstRetryMs = 200; // first probe after a failure; doubles up to probeMaxIntervalMs

forge::ForgeError connectionLost() {
    return {QStringLiteral("FORGE_CONNECTION_LOST"),
            QStringLiteral("Forge dropped the connection while it ran the job; the job ran to its end on "
                           "Forge but its image could not be received. Submit it again."),
            0, false};
}

// The original's task-progress figures from a GET /sdapi/v1/progress answer: progress (with Forge's 0.01
// offset) and eta_relative as they are, current_step = state.sampling_step (Forge's 0-based counter) and
// total_steps = state.sampling_steps.
store::JobProgress progressFrom(const QJsonObject &answer) {
    const QJsonObject state = answer.value("state").toObject();
    store::JobProgress progress;
    progress.progress = answer.value("progress").toDouble();
    progress.etaRelative = answer.value("eta_relative").toDouble();
    progress.currentStep = state.value("sampling_step").toInt();
    progress.totalSteps = state.value("sampling_steps").toInt();
    return progress;
}

} // namespace

QString BackendWorker::stateName(State state) {
    switch (state) {
    case State::Up:
        return QStringLiteral("up");
    case State::Down:
        return QStringLiteral("down");
    case State::Paused:
        return QStringLiteral("paused");
    case State::Draining:
        return QStringLiteral("draining");
    }
    return {};
}

BackendWorker::BackendWorker(QString name, forge::ForgeClient *client, const WorkerSettings &settings,
                             QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_client(client), m_settings(settings) {
    m_progressTimer.setInterval(settings.progressIntervalMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &BackendWorker::poll);
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, &BackendWorker::probeHealth);
    m_firstPoll.setSingleShot(true);
    m_firstPoll.setInterval(settings.firstPollMs);
    connect(&m_firstPoll, &QTimer::timeout, this, &BackendWorker::poll);
    m_unloadTimer.setSingleShot(true);
    connect(&m_unloadTimer, &QTimer::timeout, this, [this] {
        if (busy())
            return;
        qCInfo(lcQueue).noquote() << m_name << "idle: unloading the checkpoint (CHECKPOINT_UNLOAD_INTERVAL)";
        m_client->post("/unload-checkpoint", {}, [this](const QJsonDocument &, const auto &error) {
            if (!error)
                m_loadedModel.clear(); // the next job reloads the weights: report it as a model change
        });
    });
}

BackendWorker::State BackendWorker::state() const {
    if (m_mode == Mode::Paused)
        return State::Paused;
    if (m_mode == Mode::Draining)
        return State::Draining;
    return m_reachable && m_probed ? State::Up : State::Down;
}

bool BackendWorker::hasCheckpoint(const QString &model) const {
    if (m_checkpoints.isEmpty() || model.isEmpty())
        return true;
    for (const QString &known : m_checkpoints)
        if (isLoadedModel(known, model))
            return true;
    return false;
}

void BackendWorker::probeHealth() {
    if (m_probeInFlight)
        return;
    m_probeInFlight = true;
    m_client->get(
        "/options",
        [this](const QJsonDocument &options, const std::optional<forge::ForgeError> &error) {
            if (error) {
                m_probeInFlight = false;
                setReachable(false, error->message);
                return;
            }
            if (!busy())
                m_loadedModel = options.object().value("sd_model_checkpoint").toString();
            m_client->get(
                "/sd-models",
                [this](const QJsonDocument &models, const std::optional<forge::ForgeError> &error) {
                    m_probeInFlight = false;
                    if (error) {
                        setReachable(false, error->message);
                        return;
                    }
                    QStringList names;
                    for (const QJsonValue &model : models.array()) {
                        names.append(model.toObject().value("title").toString());
                        names.append(model.toObject().value("model_name").toString());
                    }
                    names.removeAll(QString());
                    m_checkpoints = names;
                    m_checkpointList = models.array();
                    m_probed = true;
                    setReachable(true);
                },
                kProbeTimeoutMs);
        },
        kProbeTimeoutMs);
}

void BackendWorker::refreshLoadedModel() {
    probeHealth();
    armUnloadTimer();
}

void BackendWorker::probe(std::function<void(bool up)> done, int timeoutMs) {
    m_client->get(
        "/options",
        [this, done](const QJsonDocument &, const std::optional<forge::ForgeError> &error) {
            // Only an answer without HTTP status (refused, reset, timed out) means Forge is not there.
            if (error && error->httpStatus == 0)
                setReachable(false, error->message);
            done(!error);
        },
        timeoutMs);
}

void BackendWorker::setReachable(bool reachable, const QString &error) {
    if (!reachable) {
        m_lastError = error;
        ++m_probeFailures;
        if (m_reachable || !m_probed)
            qCWarning(lcQueue).noquote() << m_name << "is down:" << error;
    } else {
        if (!m_reachable)
            qCInfo(lcQueue).noquote() << m_name << "is up, loaded checkpoint" << m_loadedModel;
        m_probeFailures = 0;
    }
    m_reachable = reachable;
    scheduleProbe();
    emitStateIfChanged();
}

void BackendWorker::scheduleProbe() {
    if (m_reachable) { // a backend that is up is checked at the backoff cap too
        m_probeTimer.start(m_settings.probeMaxIntervalMs);
        return;
    }
    const int shift = qMin(m_probeFailures - 1, 16);
    m_probeTimer.start(qMin<qint64>(qint64(kFirstRetryMs) << qMax(shift, 0), m_settings.probeMaxIntervalMs));
}

void BackendWorker::emitStateIfChanged() {
    const State now = state();
    if (m_reportedState == now)
        return;
    m_reportedState = now;
    emit stateChanged(now);
    if (available())
        emit becameIdle(); // a backend that came back takes the waiting jobs
}

void BackendWorker::pause() {
    m_mode = Mode::Paused;
    qCInfo(lcQueue).noquote() << m_name << "paused by an admin";
    emitStateIfChanged();
}

void BackendWorker::drain() {
    m_mode = busy() ? Mode::Draining : Mode::Paused;
    qCInfo(lcQueue).noquote() << m_name << (busy() ? "draining: pauses after the running job" : "paused");
    emitStateIfChanged();
}

void BackendWorker::resume() {
    m_mode = Mode::Active;
    qCInfo(lcQueue).noquote() << m_name << "resumed by an admin";
    if (!m_reachable)
        probeHealth();
    emitStateIfChanged();
}

void BackendWorker::armUnloadTimer() {
    if (m_settings.unloadAfterMs > 0)
        m_unloadTimer.start(static_cast<int>(qMin<qint64>(m_settings.unloadAfterMs, INT_MAX)));
}

void BackendWorker::run(const store::Job &job, const QString &endpoint, const QJsonObject &body) {
    m_job = job;
    m_interrupted = false;
    m_lastPreviewId = -1;
    m_progress = {};
    m_unloadTimer.stop();
    emit started(job);
    if (!isLoadedModel(m_loadedModel, job.modelName)) {
        ops::metrics().checkpointSwaps.inc({m_name});
        emit modelChanged(job, job.modelName);
    }
    m_loadedModel = job.modelName;
    const ops::LogContext context(job.id, job.ownerId);
    qCInfo(lcQueue).noquote() << m_name << "starting" << job.id << job.taskType << "on" << job.modelName;
    if (job.recovered)
        reclaim(job, endpoint, body);
    else
        generate(job, endpoint, body);
    m_progressTimer.start();
    if (m_settings.firstPollMs < m_settings.progressIntervalMs)
        m_firstPoll.start();
}

void BackendWorker::generate(const store::Job &job, const QString &endpoint, const QJsonObject &body) {
    m_client->postOnce(
        endpoint, body,
        [this, job](const QJsonDocument &reply, const std::optional<forge::ForgeError> &error) {
            if (!m_job || m_job->id != job.id)
                return;
            const bool interrupted = m_interrupted;
            const char *outcome = interrupted ? "interrupted" : error ? "failed" : "succeeded";
            ops::metrics().generations.inc({m_name, QLatin1String(outcome)});
            if (error) {
                onGenerationError(job, *error, interrupted);
                return;
            }
            deliver(job, reply.object(), interrupted);
        },
        m_settings.generationTimeoutMs);
}

void BackendWorker::deliver(const store::Job &job, const QJsonObject &reply, bool interrupted) {
    const QJsonArray images = reply.value("images").toArray();
    const QJsonObject info = QJsonDocument::fromJson(reply.value("info").toString().toUtf8()).object();
    finish();
    if (images.isEmpty()) {
        ++m_failed;
        emit failed(
            job, forge::ForgeError{QStringLiteral("NO_IMAGES"), QStringLiteral("No images were generated.")},
            interrupted);
    } else {
        ++m_done;
        emit succeeded(job, images.first().toString().toLatin1(), info, interrupted);
    }
    emit becameIdle();
}

void BackendWorker::awaitTaskEnd(const store::Job &job, std::function<void(TaskEnd, const QString &)> ended) {
    m_client->postRoot(
        "/internal/progress", QJsonObject{{"id_task", forge::taskIdFor(job.id)}, {"live_preview", false}},
        [this, job, ended](const QJsonDocument &reply, const std::optional<forge::ForgeError> &error) {
            if (!m_job || m_job->id != job.id)
                return;
            const QJsonObject state = reply.object();
            if (error)
                return ended(TaskEnd::Unreachable, error->message);
            if (state.value("active").toBool() || state.value("queued").toBool()) {
                // Still running or waiting on Forge: keep the backend busy (the progress polls show it).
                QTimer::singleShot(m_settings.progressIntervalMs, this, [this, job, ended] {
                    if (m_job && m_job->id == job.id)
                        awaitTaskEnd(job, ended);
                });
                return;
            }
            ended(state.value("completed").toBool() ? TaskEnd::Completed : TaskEnd::Unknown, {});
        },
        kPollTimeoutMs);
}

void BackendWorker::reclaim(const store::Job &job, const QString &endpoint, const QJsonObject &body) {
    awaitTaskEnd(job, [this, job, endpoint, body](TaskEnd end, const QString &) {
        if (end != TaskEnd::Completed)
            return generate(job, endpoint, body); // Forge never had it, forgot it, or cannot be asked
        collect(job, m_interrupted, [this, job, endpoint, body] {
            qCInfo(lcQueue).noquote()
                << m_name << "kept no result of" << job.id << "from before the restart: generating it again";
            generate(job, endpoint, body);
        });
    });
}

void BackendWorker::collect(const store::Job &job, bool interrupted, std::function<void()> missing) {
    // forge_patches/api-results-by-task.patch keeps the last few results by task id; stock Forge answers 404.
    m_client->get(
        QStringLiteral("/navigator/results/") + forge::taskIdFor(job.id),
        [this, job, interrupted, missing](const QJsonDocument &reply,
                                          const std::optional<forge::ForgeError> &error) {
            if (!m_job || m_job->id != job.id)
                return;
            if (error || reply.object().value("images").toArray().isEmpty())
                return missing();
            qCInfo(lcQueue).noquote() << m_name << "collected the result of" << job.id
                                      << "that Forge finished without Navigator listening";
            ops::metrics().generations.inc({m_name, QLatin1String("collected")});
            deliver(job, reply.object(), interrupted || m_interrupted);
        },
        kCollectTimeoutMs);
}

void BackendWorker::onGenerationError(const store::Job &job, const forge::ForgeError &error,
                                      bool interrupted) {
    m_lastError = error.message;
    if (error.neverDelivered) { // refused: Forge never saw the job, so it costs no attempt
        finish();
        setReachable(false, error.message);
        emit returned(job, false);
        return;
    }
    if (error.code == QLatin1String("ETIMEDOUT")) {
        finish();
        ++m_failed;
        m_settling = true;
        emit failed(job, error, interrupted);
        settle(forge::taskIdFor(job.id), false);
        return;
    }
    if (error.httpStatus == 0 && error.code != QLatin1String("EBADRESPONSE")) {
        followDropped(job, interrupted);
        return;
    }
    finish();
    ++m_failed;
    emit failed(job, error, interrupted);
    emit becameIdle();
}

void BackendWorker::followDropped(const store::Job &job, bool interruptedBefore) {
    awaitTaskEnd(job, [this, job, interruptedBefore](TaskEnd end, const QString &error) {
        const bool interrupted = interruptedBefore || m_interrupted;
        if (end == TaskEnd::Completed) {
            // It ran to its end with nobody listening: collect the result if Forge kept it.
            collect(job, interrupted, [this, job, interrupted] {
                finish();
                ++m_failed;
                qCWarning(lcQueue).noquote() << m_name << job.id
                                             << "finished on Forge after the connection dropped, and "
                                                "Forge kept no result (forge_patches/ not applied)";
                emit failed(job, connectionLost(), interrupted);
                emit becameIdle();
            });
            return;
        }
        finish();
        if (end ==
            TaskEnd::Unreachable) { // Forge went away with the job (killed or restarting): run it again
            setReachable(false, error);
            qCWarning(lcQueue).noquote() << m_name << "lost" << job.id << "- Forge is gone; re-queued";
        } else { // Forge never started it (or forgot it in a restart)
            qCWarning(lcQueue).noquote()
                << m_name << "connection dropped before Forge ran" << job.id << "- re-queued";
        }
        emit returned(job, true);
        emit becameIdle();
    });
}

void BackendWorker::settle(const QString &taskId, bool interruptSent) {
    if (!interruptSent) {
        qCWarning(lcQueue).noquote() << m_name << "generation timed out: interrupting" << taskId
                                     << "and waiting for Forge to be free";
        m_client->post("/interrupt", {}, [](const QJsonDocument &, const auto &) {});
    }
    m_client->postRoot(
        "/internal/progress", QJsonObject{{"id_task", taskId}, {"live_preview", false}},
        [this, taskId](const QJsonDocument &body, const std::optional<forge::ForgeError> &error) {
            const QJsonObject state = body.object();
            const bool active = state.value("active").toBool();
            if (!error && (active || state.value("queued").toBool())) {
                // A task still waiting in Forge's queue is interrupted again once it becomes active.
                QTimer::singleShot(m_settings.progressIntervalMs, this,
                                   [this, taskId, active] { settle(taskId, active); });
                return;
            }
            m_settling = false;
            if (error)
                setReachable(false, error->message);
            qCInfo(lcQueue).noquote() << m_name << "is free again after the timeout";
            emit becameIdle();
        },
        kPollTimeoutMs);
}

void BackendWorker::finish() {
    m_progressTimer.stop();
    m_firstPoll.stop();
    m_job.reset();
    if (m_mode == Mode::Draining) {
        m_mode = Mode::Paused;
        qCInfo(lcQueue).noquote() << m_name << "drained: paused";
        QTimer::singleShot(0, this, [this] { emitStateIfChanged(); });
    }
    armUnloadTimer();
}

void BackendWorker::interrupt() {
    if (!m_job)
        return;
    m_interrupted = true;
    m_client->post("/interrupt", {}, [](const QJsonDocument &, const auto &) {});
}

void BackendWorker::pngInfo(const QByteArray &pngBase64, std::function<void(const QByteArray &)> done) {
    m_client->post("/png-info", QJsonObject{{"image", QString::fromLatin1(pngBase64)}},
                   [done](const QJsonDocument &body, const std::optional<forge::ForgeError> &error) {
                       done(error ? QByteArray()
                                  : QJsonDocument(body.object()).toJson(QJsonDocument::Compact).toBase64());
                   });
}

void BackendWorker::poll() {
    if (!m_job || m_pollInFlight)
        return;
    m_pollInFlight = true;
    const store::Job job = *m_job;
    const QJsonObject request{
        {"id_task", forge::taskIdFor(job.id)}, {"live_preview", true}, {"id_live_preview", m_lastPreviewId}};
    // As the original: /internal/progress says whether Forge works on this job (and here also hands over
    // only the previews not seen yet); the figures come from /sdapi/v1/progress, passed through unchanged.
    m_client->postRoot(
        "/internal/progress", request,
        [this, job](const QJsonDocument &body, const std::optional<forge::ForgeError> &error) {
            const QJsonObject state = body.object();
            if (error || !m_job || m_job->id != job.id || !state.value("active").toBool()) {
                m_pollInFlight = false; // queued behind other work or already done: nothing to report
                return;
            }
            QByteArray preview;
            const QString live = state.value("live_preview").toString();
            const int comma = live.indexOf(',');
            if (!live.isEmpty() && comma > 0) {
                preview = QByteArray::fromBase64(live.mid(comma + 1).toLatin1());
                m_lastPreviewId = state.value("id_live_preview").toInt(m_lastPreviewId);
            }
            m_client->get(
                "/progress?skip_current_image=true",
                [this, job, preview](const QJsonDocument &figures,
                                     const std::optional<forge::ForgeError> &figuresError) {
                    m_pollInFlight = false;
                    if (!m_job || m_job->id != job.id)
                        return;
                    if (!figuresError)
                        m_progress = progressFrom(figures.object());
                    emit progressed(job, m_progress, preview);
                },
                kPollTimeoutMs);
        },
        kPollTimeoutMs);
}

QString firstPassPatchName(FirstPassPatch state) {
    switch (state) {
    case FirstPassPatch::Patched:
        return QStringLiteral("patched");
    case FirstPassPatch::Unpatched:
        return QStringLiteral("unpatched");
    case FirstPassPatch::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

} // namespace nav::queue
