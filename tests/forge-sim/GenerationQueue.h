#pragma once
// The FIFO generation lock and Forge's shared state (§1-§5): pending/current/finished task bookkeeping,
// a step clock on a QTimer, progress counters, previews, interrupt/skip, and the request log used by tests.
#include "Catalog.h"

#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QRandomGenerator>
#include <QTimer>
#include <deque>
#include <functional>
#include <memory>

namespace forgesim {

struct SimConfig {
    QStringList models;
    int stepMs = 50;
    int switchMs = 500;
    int previewEvery = 10;
    quint32 seed = 0;
    // Stock Forge without Navigator's forge_patches/: firstpass_image reaches processing undecoded, and no
    // result is kept for GET /sdapi/v1/navigator/results/{task_id}.
    bool unpatched = false;
};

struct RequestLogEntry {
    QString taskId, kind, model, outcome = "pending";
    // Milliseconds since the epoch with microsecond resolution: benches measure sub-millisecond gaps.
    double arrivedMs = 0, startedMs = -1, endedMs = -1;
    QJsonObject body;
    QJsonObject toJson() const;
};

class GenerationQueue : public QObject {
    Q_OBJECT
public:
    using Reply = std::function<void(int status, const QByteArray &json)>;

    GenerationQueue(const SimConfig &config, QObject *parent = nullptr);

    const Catalog &catalog() const { return m_catalog; }

    // kind: "txt2img", "img2img" or "refresh" (a lock-taking call without a generation).
    void enqueue(const QString &kind, const QJsonObject &body, Reply reply, std::function<void()> drop);
    void interrupt() { m_interrupted = true; }
    void skip() { m_skipped = true; }
    void unload();

    QJsonObject progress(bool skipCurrentImage) const;
    QJsonObject internalProgress(const QJsonValue &idTask, int idLivePreview, bool livePreview) const;
    QJsonObject pendingTasks() const;
    // forge_patches/api-results-by-task.patch: the reply body of one of the last 4 generations whose client
    // chose the task id (force_task_id); empty when none is kept (always so when unpatched).
    QByteArray keptResult(const QString &taskId) const;
    bool keepsResults() const { return !m_config.unpatched; }
    // Milliseconds per sampling step for generations that start from now on (POST /sim/speed).
    void setStepMs(int ms) { m_config.stepMs = qMax(0, ms); }
    int stepMs() const { return m_config.stepMs; }

    QJsonObject options() const { return m_options; }
    // Returns an empty string on success, otherwise the Forge error body.
    QByteArray setOptions(const QJsonObject &values, int *status);
    QStringList currentModuleNames() const; // base names without extension, for infotext "Module N"

    // Faults and control.
    int failNext = 0, failStatus = 500, dropNext = 0;
    QJsonArray requestLog() const;
    void resetLog() { m_log.clear(); }
    void restart(); // forget tasks, loaded model and options as a Forge restart would
    QJsonObject simState() const;

private:
    struct Task;
    struct Pass {
        int steps;
        bool hires;
        int batch;
    };
    void startNext();
    void beginSampling();
    void tick();
    void finishJob(bool interruptedEarly);
    void failJob(int status, const QByteArray &body);
    void endState();
    void makePreview();
    QString newTaskId(const QString &kind);
    QJsonObject defaultOptions() const;

    SimConfig m_config;
    Catalog m_catalog;
    QRandomGenerator m_rng;
    QJsonObject m_options;
    const Model *m_loaded = nullptr;
    int m_unloadCount = 0;

    std::deque<std::shared_ptr<Task>> m_queue;
    std::shared_ptr<Task> m_running;
    QList<QPair<QString, qint64>> m_pending;  // id, enqueue time (ms)
    QString m_currentTask;                    // null when none
    QStringList m_finished;                   // last 16
    QList<QPair<QString, QByteArray>> m_kept; // task id, reply body: the patch's last 4 results
    QList<std::shared_ptr<RequestLogEntry>> m_log;

    // Forge's shared "state" (§3).
    bool m_interrupted = false, m_skipped = false;
    QString m_job;
    int m_jobCount = 0, m_jobNo = 0, m_samplingStep = 0, m_samplingSteps = 0;
    QString m_jobTimestamp = "0";
    QElapsedTimer m_jobClock;
    QByteArray m_preview; // PNG bytes of the current preview
    int m_previewId = 0, m_lastPreviewStep = 0;

    QTimer m_clock;
};

} // namespace forgesim
