#pragma once
// Settings of the Engine.IO layer. Defaults are those of the Node engine.io server, plus the limits that keep
// a slow or hostile client from growing memory without bound.
#include "server/http/ConnectionLimits.h"

#include <QStringList>

namespace nav::realtime {

struct EngineSettings {
    QStringList paths{QStringLiteral("/socket.io/")}; // request paths of polling and WebSocket connections
    int pingIntervalMs = 25'000;
    int pingTimeoutMs = 20'000;
    int upgradeTimeoutMs = 10'000;  // time for a WebSocket probe to finish the upgrade
    qint64 maxPayload = 1'000'000;  // largest polling POST body or WebSocket message, in bytes
    int maxSessions = 10'000;       // further handshakes are refused with 503
    int maxBufferedPackets = 1'000; // packets waiting for a slow client before its session is closed
    qint64 maxBufferedBytes = 16LL * 1024 * 1024; // bytes waiting for a slow client (both transports)
    qint64 idleConnectionTimeoutMs = 0; // HTTP keep-alive idle timeout; 0: pingInterval + pingTimeout + 5 s
    QByteArray corsOrigin = "*";
    // Timeouts, connection caps and the body budget of the port (maxBodyBytes and idleTimeoutMs are
    // replaced by maxPayload and idleConnectionTimeoutMs).
    nav::http::ConnectionLimits connection;
};

} // namespace nav::realtime
