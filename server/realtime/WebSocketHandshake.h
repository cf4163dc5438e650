#pragma once
// The server side of the RFC 6455 opening handshake: checks an upgrade request and builds the answer, the
// 101 with Sec-WebSocket-Accept or the refusal. No extension or subprotocol is ever negotiated.
#include <QByteArray>
#include <QByteArrayView>

namespace nav::realtime::ws {

// The parts of an upgrade request the handshake looks at (raw header values, empty when absent).
struct UpgradeRequest {
    bool isGet = false;
    bool http11 = false;
    QByteArray upgrade;
    QByteArray connection;
    QByteArray key;
    QByteArray version;
};

struct UpgradeVerdict {
    int status = 101;          // 101 when accepted, else 400 or 426
    QByteArray message;        // why it was refused
    bool offerVersion = false; // the refusal must carry "Sec-WebSocket-Version: 13"
    bool accepted() const { return status == 101; }
};

UpgradeVerdict checkUpgrade(const UpgradeRequest &request);
// base64(SHA-1(key + the RFC 6455 GUID)).
QByteArray acceptKeyFor(QByteArrayView key);
// The complete 101 answer for an accepted request.
QByteArray switchingProtocolsAnswer(QByteArrayView key);

} // namespace nav::realtime::ws
