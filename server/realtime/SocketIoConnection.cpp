#include "server/realtime/SocketIoConnection.h"

#include "server/realtime/EngineSession.h"
#include "server/realtime/RealtimeLogging_p.h"
#include "server/realtime/SocketIoNamespace.h"
#include "server/realtime/SocketIoServer.h"
#include "server/realtime/SocketIoSocket.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QTimerEvent>

namespace nav::realtime {

namespace {
// At most this many binary attachments per packet; together they count against RT_MAX_PAYLOAD.
constexpr int kMaxAttachments = 10;

QString newSocketId() {
    QByteArray bytes(15, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding));
}
} // namespace

SocketIoConnection::SocketIoConnection(EngineSession *session, SocketIoServer *server, int connectTimeoutMs)
    : QObject(session), m_session(session), m_server(server),
      m_decoder(SocketIoDecoder::Limits{kMaxAttachments, session->settings().maxPayload}) {
    connect(session, &EngineSession::message, this, &SocketIoConnection::onMessage);
    connect(session, &EngineSession::closed, this, &SocketIoConnection::onClosed);
    m_connectTimer.start(connectTimeoutMs, this);
}

void SocketIoConnection::timerEvent(QTimerEvent *event) {
    if (event->timerId() != m_connectTimer.timerId())
        return QObject::timerEvent(event);
    m_connectTimer.stop();
    if (m_sockets.isEmpty()) {
        qCDebug(lcRealtime) << "no namespace joined in time, closing" << m_session->id();
        close();
    }
}

SocketIoConnection::~SocketIoConnection() = default;

const HandshakeInfo &SocketIoConnection::handshake() const {
    return m_session->handshake();
}

void SocketIoConnection::send(const SocketIoPacket &packet) {
    sendEncoded(SocketIoCodec::encode(packet), packet.attachments);
}

void SocketIoConnection::sendEncoded(const QByteArray &text, const QList<QByteArray> &attachments) {
    m_session->sendMessage(text);
    for (const QByteArray &attachment : attachments)
        m_session->sendMessage(attachment, true);
}

void SocketIoConnection::close() {
    m_session->close(QStringLiteral("forced server close"));
}

void SocketIoConnection::removeSocket(SocketIoSocket *socket) {
    m_sockets.removeOne(socket);
}

SocketIoSocket *SocketIoConnection::socketIn(const QString &nsp) const {
    for (SocketIoSocket *socket : m_sockets)
        if (socket->nsp()->name() == nsp)
            return socket;
    return nullptr;
}

void SocketIoConnection::onMessage(const QByteArray &data, bool binary) {
    const auto result = binary ? m_decoder.addBinary(data) : m_decoder.addText(data);
    if (result == SocketIoDecoder::Result::Error) {
        qCDebug(lcRealtime) << "closing" << m_session->id()
                            << "on a malformed packet:" << m_decoder.errorString();
        close();
        return;
    }
    if (result == SocketIoDecoder::Result::Packet)
        onPacket(m_decoder.take());
}

void SocketIoConnection::onPacket(SocketIoPacket packet) {
    using T = SocketIoPacket::Type;
    switch (packet.type) {
    case T::Connect:
        onConnect(packet);
        return;
    case T::Disconnect:
        if (SocketIoSocket *socket = socketIn(packet.nsp))
            socket->onDisconnected(QStringLiteral("client namespace disconnect"));
        return;
    case T::Event:
    case T::BinaryEvent:
        if (SocketIoSocket *socket = socketIn(packet.nsp); socket && socket->isConnected())
            socket->onEvent(packet.data.toArray(), packet.attachments, packet.id);
        return;
    case T::Ack:
    case T::BinaryAck: // the server never asks for acknowledgements
        return;
    case T::ConnectError: // only a server sends this
        close();
        return;
    }
}

void SocketIoConnection::onConnect(const SocketIoPacket &packet) {
    SocketIoNamespace *nsp = m_server->find(packet.nsp);
    if (!nsp) {
        send({SocketIoPacket::Type::ConnectError,
              packet.nsp,
              -1,
              QJsonObject{{"message", "Invalid namespace"}},
              {}});
        return;
    }
    if (socketIn(packet.nsp)) // already connected (or connecting) to this namespace
        return;
    auto *socket = new SocketIoSocket(newSocketId(), nsp, this, packet.data.toObject());
    m_sockets.append(socket);
    QPointer<SocketIoSocket> guard(socket);
    auto next = [this, guard](std::optional<QJsonObject> error) {
        if (!guard || guard->isConnected())
            return; // the client went away while the middleware worked
        if (error) {
            send({SocketIoPacket::Type::ConnectError, guard->nsp()->name(), -1, *error, {}});
            removeSocket(guard);
            guard->deleteLater();
            return;
        }
        m_connectTimer.stop();
        guard->onConnected();
    };
    if (nsp->middleware())
        nsp->middleware()(socket, next);
    else
        next(std::nullopt);
}

void SocketIoConnection::onClosed(const QString &reason) {
    m_connectTimer.stop();
    const auto sockets = m_sockets;
    for (SocketIoSocket *socket : sockets)
        socket->onDisconnected(reason);
    m_sockets.clear();
}

} // namespace nav::realtime
