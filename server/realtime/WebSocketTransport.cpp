#include "server/realtime/WebSocketTransport.h"

#include "server/realtime/RealtimeLogging_p.h"

#include <QWebSocket>

namespace nav::realtime {

WebSocketTransport::WebSocketTransport(QWebSocket *socket, const EngineSettings &settings, QObject *parent)
    : Transport(parent), m_socket(socket), m_settings(settings) {
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(settings.maxPayload));
    m_socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(settings.maxPayload));
    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketTransport::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &WebSocketTransport::onBinary);
    connect(m_socket, &QWebSocket::bytesWritten, this, [this](qint64 bytes) {
        m_unwritten = qMax<qint64>(0, m_unwritten - bytes);
        if (m_writing && !m_finished) {
            m_writing = false;
            emit drain();
        }
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] { finish(QStringLiteral("transport close")); });
}

WebSocketTransport::~WebSocketTransport() {
    m_socket->disconnect(this);
    m_socket->abort();
}

bool WebSocketTransport::writable() const {
    return !m_finished && !m_writing;
}

void WebSocketTransport::sendNow(const EnginePacket &packet) {
    if (m_finished)
        return;
    if (packet.binary && packet.type == EnginePacket::Type::Message) {
        m_socket->sendBinaryMessage(packet.data);
        m_unwritten += packet.data.size();
    } else {
        const QByteArray text = EngineCodec::encodeText(packet);
        m_socket->sendTextMessage(QString::fromUtf8(text));
        m_unwritten += text.size();
    }
}

void WebSocketTransport::send(const QList<EnginePacket> &packets) {
    if (packets.isEmpty() || !writable())
        return;
    for (const EnginePacket &packet : packets)
        sendNow(packet);
    // Like the Node server, take no more packets until this batch is written: packets queued meanwhile go
    // out together in the next write, and a client that stops reading fills the session buffer, whose
    // limits then close it.
    m_writing = true;
    if (m_unwritten > m_settings.maxBufferedBytes) {
        qCWarning(lcRealtime) << "closing a WebSocket that does not read:" << m_unwritten << "bytes pending";
        emit error(QStringLiteral("write buffer full"));
    }
}

void WebSocketTransport::onText(const QString &text) {
    if (m_finished)
        return;
    const auto packet = EngineCodec::decodeText(text.toUtf8());
    if (!packet) {
        emit error(QStringLiteral("parse error"));
        return;
    }
    if (packet->type == EnginePacket::Type::Close) {
        finish(QStringLiteral("transport close"));
        return;
    }
    emit this->packet(*packet);
}

void WebSocketTransport::onBinary(const QByteArray &bytes) {
    if (!m_finished)
        emit packet(EnginePacket::bytes(bytes));
}

void WebSocketTransport::close() {
    if (m_finished)
        return;
    m_socket->close();
    finish(QStringLiteral("forced close"));
}

void WebSocketTransport::finish(const QString &reason) {
    if (m_finished)
        return;
    m_finished = true;
    emit closed(reason);
}

} // namespace nav::realtime
