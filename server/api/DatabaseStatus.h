#pragma once
// The database part of GET /api/admin/status: {"driver": "sqlite"|"mysql", "version": "3.40.1" or
// "10.11.6-MariaDB-…", "uptime_seconds": n (MariaDB's Uptime status; null for SQLite, which runs inside
// navigator)}. Read on the database pool and cached; a read older than the refresh interval starts a new one,
// and the answer in hand is given meanwhile (version null until the first read).
#include "server/store/Database.h"
#include "shared/api/Status.h"

#include <QDateTime>

namespace nav::api {

class DatabaseStatus final {
public:
    explicit DatabaseStatus(store::Database &db, int refreshMs = 30000);
    api::Status::Database current();

private:
    void refresh();

    store::Database &m_db;
    int m_refreshMs;
    api::Status::Database m_cached;
    QDateTime m_readAt;
    bool m_reading = false;
};

} // namespace nav::api
