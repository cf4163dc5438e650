#include "server/queue/BackendWorker.h"

#include "server/forge/GenerationPayload.h"
#include "server/ops/Logging.h"
#include "server/ops/ServiceMetrics.h"
#include "server/queue/Scheduler.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcQueue, "navigator.queue")

namespace nav::queue {

namespace {

constexpr int kPollTimeoutMs = 5000;

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

BackendWorker::BackendWorker(QString name, forge::ForgeClient *client, const WorkerSettings &settings,
                             QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_client(client), m_settings(settings) {
    m_progressTimer.setInterval(settings.progressIntervalMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &BackendWorker::poll);
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

void BackendWorker::refreshLoadedModel() {
    probe([](bool) {});
    armUnloadTimer();
}

void BackendWorker::probe(std::function<void(bool up)> done, int timeoutMs) {
    m_client->get(
        "/options",
        [this, done](const QJsonDocument &body, const std::optional<forge::ForgeError> &error) {
            noteReply(error);
            if (error)
                qCWarning(lcQueue).noquote()
                    << m_name << "cannot read the loaded checkpoint:" << error->message;
            else if (!busy())
                m_loadedModel = body.object().value("sd_model_checkpoint").toString();
            done(!error);
        },
        timeoutMs);
}

void BackendWorker::noteReply(const std::optional<forge::ForgeError> &error) {
    // Any HTTP answer means Forge is there; no answer at all (refused, reset, timed out) means it is not.
    m_up = !error || error->httpStatus != 0;
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
    m_client->post(
        endpoint, body,
        [this, job](const QJsonDocument &reply, const std::optional<forge::ForgeError> &error) {
            if (!m_job || m_job->id != job.id)
                return;
            const bool interrupted = m_interrupted;
            noteReply(error);
            const char *outcome = interrupted ? "interrupted" : error ? "failed" : "succeeded";
            ops::metrics().generations.inc({m_name, QLatin1String(outcome)});
            if (error) {
                finish();
                emit failed(job, *error, interrupted);
            } else {
                const QJsonObject object = reply.object();
                const QJsonArray images = object.value("images").toArray();
                const QJsonObject info =
                    QJsonDocument::fromJson(object.value("info").toString().toUtf8()).object();
                finish();
                if (images.isEmpty())
                    emit failed(job,
                                forge::ForgeError{QStringLiteral("NO_IMAGES"),
                                                  QStringLiteral("No images were generated.")},
                                interrupted);
                else
                    emit succeeded(job, images.first().toString().toLatin1(), info, interrupted);
            }
            emit becameIdle();
        },
        m_settings.generationTimeoutMs);
    m_progressTimer.start();
    if (m_settings.firstPollMs < m_settings.progressIntervalMs)
        m_firstPoll.start();
}

void BackendWorker::finish() {
    m_progressTimer.stop();
    m_firstPoll.stop();
    m_job.reset();
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
