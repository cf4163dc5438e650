#pragma once
// The server's state as GET /api/admin/status answers it: version, uptime, queue figures, connected
// realtime clients, the Forge backend probe, the database and who asked. The server builds one in
// server/api/AdminStatusService.cpp (+ DatabaseStatus, + the caller in AdminQueueRoutes.cpp); the admin
// window reads it (admin-gui/StatusTab.cpp, MainWindow.cpp, ServerConnection.cpp). The field names live here
// only; tst_apishapes round-trips a running navigator's answers.
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace nav::api {

struct Status {
    // The result of the last quick probe of the backend (GET /options).
    struct Backend {
        QString url; // without credentials
        bool reachable = false;
        QString checkpoint; // loaded checkpoint; empty: null
        QString error;      // why the probe failed; empty: null
        QDateTime checkedAt;
        std::optional<QString> firstpassPatch; // "patched", "unpatched", "unknown"; nullopt: null
        QString state;                         // "busy" or "idle"; empty: absent (running jobs unknown)
    };
    struct Database {
        QString driver;                      // "sqlite" or "mysql"
        QString version;                     // empty: null (not read yet)
        std::optional<qint64> uptimeSeconds; // MariaDB's Uptime; nullopt: null (SQLite, or not read yet)
    };
    struct Caller {
        QString discordId;
        int role = 0;
        bool superuser = false; // SUPERUSER_ADMIN_TOKEN
    };

    QString version;
    QDateTime startedAt;
    qint64 uptimeSeconds = -1; // -1: unknown
    // nullopt: null (the server does not know).
    std::optional<int> queueDepth; // waiting + running
    std::optional<int> queuedJobs;
    std::optional<int> runningJobs;
    std::optional<int> connectedClients;
    QList<Backend> backends;
    std::optional<Database> database; // nullopt: null
    std::optional<Caller> caller;     // nullopt: absent

    QJsonObject toJson() const;
    // Missing or mistyped fields keep their defaults.
    static Status fromJson(const QJsonObject &object);
};

} // namespace nav::api
