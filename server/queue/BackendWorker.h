#pragma once
// Drives one Forge backend: one generation at a time, progress and live previews polled on a timer while it
// runs, the loaded checkpoint and the checkpoint list tracked for scheduling, and the checkpoint unloaded
// after CHECKPOINT_UNLOAD_INTERVAL of inactivity. It also keeps the backend's health: a refused connection
// or a failed probe marks it down, and it is probed with capped backoff until it answers again. It knows
// nothing of the database or of clients: the JobQueue listens to its signals.
#include "server/forge/ForgeClient.h"
#include "server/store/Job.h"

#include <QJsonArray>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <optional>

namespace nav::queue {

struct WorkerSettings {
    int firstPollMs =
        200; // the first progress poll comes early, so a job under a second still shows progress
    int progressIntervalMs = 1000;
    int generationTimeoutMs = 30 * 60 * 1000;
    qint64 unloadAfterMs = 0;      // 0: never unload
    int probeMaxIntervalMs = 5000; // backoff cap while the backend is down
};

// Whether the backend runs Navigator's first-pass-image patch (forge_patches/). Unknown until the first
// upscale: a stock Forge fails it in a recognisable way (see JobQueue), a patched one succeeds.
enum class FirstPassPatch { Unknown, Patched, Unpatched };
QString firstPassPatchName(FirstPassPatch state);

class BackendWorker final : public QObject {
    Q_OBJECT
public:
    // What the admin sees. `up` and `down` are health; `paused` and `draining` are the admin's choice and
    // win over health in the answer (a paused backend is still probed).
    enum class State { Up, Down, Paused, Draining };
    static QString stateName(State state);

    BackendWorker(QString name, forge::ForgeClient *client, const WorkerSettings &settings,
                  QObject *parent = nullptr);

    // Starts health probing: reads the loaded checkpoint (GET /options) and the checkpoint list.
    void refreshLoadedModel();
    // Asks Forge whether it answers (GET /options); a backend that does not is marked down (readiness check).
    void probe(std::function<void(bool up)> done, int timeoutMs = forge::ForgeClient::kDefaultTimeoutMs);
    // Whether the backend answered its last health probe (false until the first one).
    bool up() const { return m_reachable; }
    // A job is running (its HTTP call, or following it on Forge after a dropped connection).
    bool busy() const { return m_job.has_value(); }
    // Up, not paused or draining, idle and not waiting for Forge to finish an abandoned job.
    bool available() const { return state() == State::Up && !m_job && !m_settling; }
    const std::optional<store::Job> &current() const { return m_job; }
    QString name() const { return m_name; }
    forge::ForgeClient *client() const { return m_client; }
    QString loadedModel() const { return m_loadedModel; }
    State state() const;
    bool reachable() const { return m_reachable; }
    // Whether this backend offers the checkpoint (true while its list is unknown).
    bool hasCheckpoint(const QString &model) const;
    QStringList checkpoints() const { return m_checkpoints; }
    // The backend's last /sd-models answer.
    QJsonArray checkpointList() const { return m_checkpointList; }
    int jobsDone() const { return m_done; }
    int jobsFailed() const { return m_failed; }
    QString lastError() const { return m_lastError; }

    // Admin control. Drain lets the running job finish, then pauses.
    void pause();
    void resume();
    void drain();
    FirstPassPatch firstPassPatch() const { return m_firstPassPatch; }
    void setFirstPassPatch(FirstPassPatch state) { m_firstPassPatch = state; }

    // Sends one generation; `endpoint` is "/txt2img" or "/img2img".
    void run(const store::Job &job, const QString &endpoint, const QJsonObject &body);
    // Asks Forge to stop the running job; its result still arrives through succeeded/failed.
    void interrupt();
    // Forge's png-info answer for an image, as the original caches it (base64 of the JSON); empty on failure.
    void pngInfo(const QByteArray &pngBase64, std::function<void(const QByteArray &infoData64)> done);

signals:
    void started(const nav::store::Job &job);
    void modelChanged(const nav::store::Job &job, const QString &model);
    void progressed(const nav::store::Job &job, const nav::store::JobProgress &progress,
                    const QByteArray &preview);
    void succeeded(const nav::store::Job &job, const QByteArray &pngBase64, const QJsonObject &info,
                   bool interrupted);
    void failed(const nav::store::Job &job, const nav::forge::ForgeError &error, bool interrupted);
    // The job did not run (refused connection, or Forge lost it): put it back in the queue. `countsAttempt`
    // is false when it never reached Forge.
    void returned(const nav::store::Job &job, bool countsAttempt);
    void becameIdle();
    void stateChanged(nav::queue::BackendWorker::State state);

private:
    void poll();
    void finish();
    void armUnloadTimer();
    void probeHealth(); // GET /options and /sd-models: loaded checkpoint, checkpoint list, reachability
    void scheduleProbe();
    void setReachable(bool reachable, const QString &error = {});
    void emitStateIfChanged();
    void onGenerationError(const store::Job &job, const forge::ForgeError &error, bool interrupted);
    // Sends the generation once (see ForgeClient::postOnce).
    void generate(const store::Job &job, const QString &endpoint, const QJsonObject &body);
    // A generation reply: the first image succeeds, none fails with NO_IMAGES.
    void deliver(const store::Job &job, const QJsonObject &reply, bool interrupted);
    // A job re-queued at start-up: follows it while Forge still runs it from before the restart and collects
    // its result; generates it only when Forge does not know it or kept nothing.
    void reclaim(const store::Job &job, const QString &endpoint, const QJsonObject &body);
    // GET /sdapi/v1/navigator/results/{task} (forge_patches/api-results-by-task.patch); `missing` runs when
    // Forge kept no result (stock Forge, or evicted).
    void collect(const store::Job &job, bool interrupted, std::function<void()> missing);
    // Where a task ends up once Forge no longer runs or queues it.
    enum class TaskEnd { Completed, Unknown, Unreachable };
    // Asks /internal/progress about the job's task, again every progress interval while Forge runs or queues
    // it, then calls `ended` (with the error text when Forge could not be asked); nothing once the job left.
    void awaitTaskEnd(const store::Job &job, std::function<void(TaskEnd end, const QString &error)> ended);
    // After a dropped connection: is the task still on Forge?
    void followDropped(const store::Job &job, bool interrupted);
    // After a timeout: interrupt, then wait until Forge no longer runs or queues the task.
    void settle(const QString &taskId, bool interruptSent);

    QString m_name;
    forge::ForgeClient *m_client;
    WorkerSettings m_settings;
    std::optional<store::Job> m_job;
    QTimer m_progressTimer;
    QTimer m_firstPoll;
    QTimer m_unloadTimer;
    QTimer m_probeTimer;
    bool m_pollInFlight = false;
    bool m_interrupted = false;
    int m_lastPreviewId = -1;
    store::JobProgress m_progress;
    QString m_loadedModel;
    QStringList m_checkpoints; // titles and model names from /sd-models
    QJsonArray m_checkpointList;
    bool m_reachable = false;
    bool m_probed = false;
    bool m_probeInFlight = false;
    int m_probeFailures = 0;
    bool m_settling = false;
    enum class Mode { Active, Paused, Draining } m_mode = Mode::Active;
    std::optional<State> m_reportedState;
    int m_done = 0;
    int m_failed = 0;
    QString m_lastError;
    FirstPassPatch m_firstPassPatch = FirstPassPatch::Unknown;
};

} // namespace nav::queue
