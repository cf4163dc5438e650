#pragma once
// What GET /api/admin/status reports: version, uptime, queue depth, connected realtime clients and, per
// Forge backend, whether it answers and which checkpoint it has loaded. The backend is asked with a quick
// GET /options (short timeout) whose answer is cached, so polling admins never pile calls onto Forge.
#include "server/forge/ForgeClient.h"
#include "shared/api/Status.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>

#include <functional>

namespace nav::api {

class AdminStatusService final : public QObject {
    Q_OBJECT
public:
    // Live figures from the rest of the server; main.cpp wires them. An unset function means "not
    // available" and is reported as null.
    struct Sources {
        std::function<int()> connectedClients; // RealtimeHub::connectedClients
        std::function<int()> queuedJobs;       // jobs waiting
        std::function<int()> runningJobs;      // jobs on a backend
        // "patched", "unpatched" or "unknown": whether the backend has forge_patches/ applied, as the
        // upscales it ran have shown (BackendWorker::firstPassPatch).
        std::function<QString()> firstPassPatch;
        // The database's driver, version and uptime (DatabaseStatus::current); "database" is null without it.
        std::function<api::Status::Database()> database;
    };

    AdminStatusService(forge::ForgeClient *forge, Sources sources, QObject *parent = nullptr);

    void setCacheMs(int ms) { m_cacheMs = ms; }
    void setProbeTimeoutMs(int ms) { m_probeTimeoutMs = ms; }

    // The status without the caller part; answers at once from the cache or after one probe.
    void status(std::function<void(const api::Status &)> done);

private:
    void probe();
    api::Status render() const;

    forge::ForgeClient *m_forge;
    Sources m_sources;
    QDateTime m_startedAt;
    int m_cacheMs = 5000;
    int m_probeTimeoutMs = 2000;
    // The last probe of the backend.
    bool m_probed = false;
    bool m_reachable = false;
    QString m_checkpoint;
    QString m_error;
    QDateTime m_checkedAt;
    qint64 m_checkedMs = 0;
    bool m_probing = false;
    QList<std::function<void(const api::Status &)>> m_waiting;
};

} // namespace nav::api
