#pragma once
// Writes one complete answer on a realtime connection's http::PendingAnswer with the CORS and cache headers
// every Engine.IO polling answer carries.
#include <QByteArray>

namespace nav::http {
class PendingAnswer;
}

namespace nav::realtime {

void writeAnswer(nav::http::PendingAnswer &answer, int status, const QByteArray &body,
                 const QByteArray &contentType, const QByteArray &corsOrigin);
// The Engine.IO error form: HTTP status with a JSON body {"code": N, "message": "..."}.
void writeError(nav::http::PendingAnswer &answer, int status, int code, const QByteArray &message,
                const QByteArray &corsOrigin);

// Engine.IO error codes (the numbers of the Node server, which clients and the protocol suite expect).
namespace EngineError {
constexpr int UnknownTransport = 0;
constexpr int UnknownSid = 1;
constexpr int BadHandshakeMethod = 2;
constexpr int BadRequest = 3;
constexpr int Forbidden = 4;
constexpr int UnsupportedProtocolVersion = 5;
} // namespace EngineError

} // namespace nav::realtime
