#pragma once
// Drives one Forge backend: one generation at a time, progress and live previews polled on a timer while it
// runs, the loaded checkpoint tracked for model-changed events and scheduling, and the checkpoint unloaded
// after CHECKPOINT_UNLOAD_INTERVAL of inactivity. It knows nothing of the database or of clients: the
// JobQueue listens to its signals.
#include "server/forge/ForgeClient.h"
#include "server/store/Job.h"

#include <QObject>
#include <QTimer>

#include <optional>

namespace nav::queue {

struct WorkerSettings {
    int firstPollMs =
        200; // the first progress poll comes early, so a job under a second still shows progress
    int progressIntervalMs = 1000;
    int generationTimeoutMs = 30 * 60 * 1000;
    qint64 unloadAfterMs = 0; // 0: never unload
};

// Whether the backend runs Navigator's first-pass-image patch (forge_patches/). Unknown until the first
// upscale: a stock Forge fails it in a recognisable way (see JobQueue), a patched one succeeds.
enum class FirstPassPatch { Unknown, Patched, Unpatched };
QString firstPassPatchName(FirstPassPatch state);

class BackendWorker : public QObject {
    Q_OBJECT
public:
    BackendWorker(QString name, forge::ForgeClient *client, const WorkerSettings &settings,
                  QObject *parent = nullptr);

    // Reads the loaded checkpoint (GET /options); the next job is a model change if it differs.
    void refreshLoadedModel();
    // Asks Forge whether it answers (GET /options, which also refreshes the loaded checkpoint).
    void probe(std::function<void(bool up)> done, int timeoutMs = forge::ForgeClient::kDefaultTimeoutMs);
    // Whether Forge answered the last call made to it (false until the first answer).
    bool up() const { return m_up; }
    bool busy() const { return m_job.has_value(); }
    const std::optional<store::Job> &current() const { return m_job; }
    QString name() const { return m_name; }
    QString loadedModel() const { return m_loadedModel; }
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
    void becameIdle();

private:
    void poll();
    void finish();
    void armUnloadTimer();
    void noteReply(const std::optional<forge::ForgeError> &error);

    QString m_name;
    forge::ForgeClient *m_client;
    WorkerSettings m_settings;
    std::optional<store::Job> m_job;
    QTimer m_progressTimer;
    QTimer m_firstPoll;
    QTimer m_unloadTimer;
    bool m_pollInFlight = false;
    bool m_interrupted = false;
    int m_lastPreviewId = -1;
    store::JobProgress m_progress;
    QString m_loadedModel;
    FirstPassPatch m_firstPassPatch = FirstPassPatch::Unknown;
    bool m_up = false;
};

} // namespace nav::queue
