#pragma once
// A bare Engine.IO + Socket.IO server set up the way the official protocol suites expect
// (socketio/engine.io-protocol and socketio/socket.io-protocol, "test-suite" folders):
//  - /engine.io/: every message (text or binary) is echoed back as is;
//  - /socket.io/: namespaces "/" and "/custom" emit "auth" with the CONNECT payload on connection, echo
//    "message" as "message-back" and acknowledge "message-with-ack" with its arguments; other namespaces
//    are refused with "Invalid namespace".
// Timings: pingInterval 300 ms, pingTimeout 200 ms, connectTimeout 1000 ms, maxPayload 1e6.
#include <QtGlobal>

namespace nav::realtime {

// Runs the server on 0.0.0.0:port until the process is stopped. Needs a QCoreApplication.
int runConformanceServer(quint16 port);

} // namespace nav::realtime
