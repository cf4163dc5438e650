#include "server/realtime/WebSocketHandshake.h"

#include <QCryptographicHash>
#include <QList>

namespace nav::realtime::ws {

namespace {

// Whether a comma-separated header value holds token (case-insensitive), as "Connection: keep-alive,
// Upgrade".
bool hasToken(const QByteArray &value, QByteArrayView token) {
    const QList<QByteArray> parts = value.split(',');
    for (const QByteArray &part : parts)
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

UpgradeVerdict refuse(int status, const char *message, bool offerVersion = false) {
    return UpgradeVerdict{status, QByteArray(message), offerVersion};
}

} // namespace

UpgradeVerdict checkUpgrade(const UpgradeRequest &request) {
    if (!request.isGet)
        return refuse(400, "A WebSocket upgrade must be a GET request");
    if (!request.http11)
        return refuse(400, "A WebSocket upgrade needs HTTP/1.1");
    if (!hasToken(request.upgrade, "websocket"))
        return refuse(400, "The Upgrade header must name websocket");
    if (!hasToken(request.connection, "upgrade"))
        return refuse(400, "The Connection header must contain Upgrade");
    if (request.version.trimmed() != "13")
        return refuse(426, "Only WebSocket version 13 is supported", true);
    const QByteArray key = request.key.trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != 24 || !decoded || decoded.decoded.size() != 16)
        return refuse(400, "Sec-WebSocket-Key must be 16 bytes in base64");
    return UpgradeVerdict{};
}

QByteArray acceptKeyFor(QByteArrayView key) {
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key.trimmed());
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

QByteArray switchingProtocolsAnswer(QByteArrayView key) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           acceptKeyFor(key) + "\r\n\r\n";
}

} // namespace nav::realtime::ws
