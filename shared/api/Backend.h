#pragma once
// A Forge backend as GET /api/admin/backends and the "backend-state" admin event describe it: the server
// builds one from its BackendWorker (server/api/AdminBackendRoutes.cpp), the admin window reads it
// (admin-gui/BackendsModel.cpp). The field names live here only; tst_apishapes round-trips real answers.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace nav::api {

struct Backend {
    struct RunningJob {
        QString jobId;
        QString ownerId;
        QString modelName;
        QDateTime startedAt; // invalid: not started yet (null)
    };

    QString name;             // host:port, never credentials
    QString url;              // the SD_API_HOST entry without credentials
    QString state;            // "up", "down", "paused" or "draining"
    bool reachable = false;   // answered its last call
    QString loadedCheckpoint; // empty: none (null)
    std::optional<RunningJob> runningJob;
    int jobsDone = 0;
    int jobsFailed = 0;
    QString lastError;      // empty: none (null)
    QString firstpassPatch; // "unknown", "patched" or "unpatched"

    QJsonObject toJson() const;
    // Missing or mistyped fields keep their defaults.
    static Backend fromJson(const QJsonObject &object);
};

} // namespace nav::api
