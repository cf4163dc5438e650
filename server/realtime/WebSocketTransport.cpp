#include "server/realtime/WebSocketTransport.h"

#include "server/realtime/RealtimeLogging_p.h"

namespace nav::realtime {

WebSocketTransport::WebSocketTransport(WebSocketConnection *connection, const EngineSettings &settings,
                                       QObject *parent)
    : Transport(parent), m_connection(connection), m_maxBufferedBytes(settings.maxBufferedBytes) {
    m_connection->setParent(this);
    m_connection->setReceiver(this);
}

WebSocketTransport::~WebSocketTransport() {
    // The connection outlives the transport until its close handshake is over.
    m_connection->release();
}

bool WebSocketTransport::writable() const {
    return !m_finished && m_connection->pendingBytes() == 0;
}

void WebSocketTransport::sendNow(const EnginePacket &packet) {
    if (m_finished)
        return;
    if (packet.binary && packet.type == EnginePacket::Type::Message)
        m_connection->sendBinary(packet.data);
    else
        m_connection->sendText(EngineCodec::encodeText(packet));
}

void WebSocketTransport::send(const QList<EnginePacket> &packets) {
    if (packets.isEmpty() || !writable())
        return;
    for (const EnginePacket &packet : packets)
        sendNow(packet);
    if (m_connection->pendingBytes() > m_maxBufferedBytes) {
        qCWarning(lcRealtime) << "closing a WebSocket that does not read:" << m_connection->pendingBytes()
                              << "bytes pending";
        reportError(QStringLiteral("write buffer full"));
    }
}

void WebSocketTransport::onDrained() {
    if (!m_finished)
        reportDrain();
}

void WebSocketTransport::onClosed() {
    finish(QStringLiteral("transport close"));
}

void WebSocketTransport::onTextMessage(const QByteArray &text) {
    if (m_finished)
        return;
    const auto packet = EngineCodec::decodeText(text);
    if (!packet) {
        reportError(QStringLiteral("parse error"));
        return;
    }
    if (packet->type == EnginePacket::Type::Close) {
        finish(QStringLiteral("transport close"));
        return;
    }
    reportPacket(*packet);
}

void WebSocketTransport::onBinaryMessage(const QByteArray &bytes) {
    if (!m_finished)
        reportPacket(EnginePacket::bytes(bytes));
}

void WebSocketTransport::close() {
    if (m_finished)
        return;
    m_finished = true; // before the connection's closed() comes back
    m_connection->close();
    reportClosed(QStringLiteral("forced close"));
}

void WebSocketTransport::finish(const QString &reason) {
    if (m_finished)
        return;
    m_finished = true;
    reportClosed(reason);
}

} // namespace nav::realtime
