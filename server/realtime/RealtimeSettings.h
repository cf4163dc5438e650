#pragma once
// Settings of the realtime (socket.io) server, filled from Config (RT_PING_INTERVAL, RT_PING_TIMEOUT,
// RT_MAX_PAYLOAD, RT_MAX_SESSIONS, TRUST_PROXY) by main.cpp.
#include "server/config/TrustProxy.h"
#include "server/http/ConnectionLimits.h"

#include <QByteArray>

namespace nav::realtime {

struct RealtimeSettings {
    int pingIntervalMs = 25'000;
    int pingTimeoutMs = 20'000;
    qint64 maxPayload = 1'000'000;
    int maxSessions = 10'000;
    nav::config::TrustProxy
        trustProxy;                // TRUST_PROXY: whose X-Forwarded-For (and CF-Connecting-IP) to believe
    int connectTimeoutMs = 45'000; // an Engine.IO session that joins no namespace in time is closed
    QByteArray corsOrigin = "*";
    nav::http::ConnectionLimits connection; // timeouts, connection caps, body budget (as on the HTTP port)
};

} // namespace nav::realtime
