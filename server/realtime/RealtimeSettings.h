#pragma once
// Settings of the realtime (socket.io) server, filled from Config (RT_PING_INTERVAL, RT_PING_TIMEOUT,
// RT_MAX_PAYLOAD, RT_MAX_SESSIONS, TRUST_PROXY) by main.cpp.
#include <QByteArray>

namespace nav::realtime {

struct RealtimeSettings {
    int pingIntervalMs = 25'000;
    int pingTimeoutMs = 20'000;
    qint64 maxPayload = 1'000'000;
    int maxSessions = 10'000;
    bool trustProxy = false;       // take the client address from CF-Connecting-IP / X-Forwarded-For
    int connectTimeoutMs = 45'000; // an Engine.IO session that joins no namespace in time is closed
    QByteArray corsOrigin = "*";
};

} // namespace nav::realtime
