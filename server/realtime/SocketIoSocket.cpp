#include "server/realtime/SocketIoSocket.h"

#include "server/realtime/SocketIoConnection.h"
#include "server/realtime/SocketIoNamespace.h"
#include "shared/realtime/SocketIoPacket.h"

namespace nav::realtime {

SocketIoSocket::SocketIoSocket(const QString &id, SocketIoNamespace *nsp, SocketIoConnection *connection,
                               const QJsonObject &auth)
    : QObject(connection), m_id(id), m_nsp(nsp), m_connection(connection), m_auth(auth) {}

SocketIoSocket::~SocketIoSocket() {
    if (m_connected)
        m_nsp->remove(this);
}

const HandshakeInfo &SocketIoSocket::handshake() const {
    return m_connection->handshake();
}

void SocketIoSocket::join(const QString &room) {
    if (m_rooms.contains(room))
        return;
    m_rooms.append(room);
    if (m_connected)
        m_nsp->joinRoom(this, room);
}

void SocketIoSocket::leave(const QString &room) {
    if (!m_rooms.removeOne(room))
        return;
    if (m_connected)
        m_nsp->leaveRoom(this, room);
}

void SocketIoSocket::emitEvent(const QString &event, const QJsonArray &args,
                               const QList<QByteArray> &attachments) {
    if (!m_connected || !m_connection)
        return;
    QJsonArray data{event};
    for (const QJsonValue &arg : args)
        data.append(arg);
    m_connection->send({SocketIoPacket::Type::Event, m_nsp->name(), -1, data, attachments});
}

void SocketIoSocket::sendAck(qint64 ackId, const QJsonArray &args, const QList<QByteArray> &attachments) {
    if (!m_connected || !m_connection || ackId < 0)
        return;
    m_connection->send({SocketIoPacket::Type::Ack, m_nsp->name(), ackId, args, attachments});
}

void SocketIoSocket::disconnectFromNamespace() {
    if (!m_connected || !m_connection)
        return;
    m_connection->send({SocketIoPacket::Type::Disconnect, m_nsp->name(), -1, QJsonValue::Undefined, {}});
    onDisconnected(QStringLiteral("server namespace disconnect"));
}

void SocketIoSocket::onConnected() {
    m_connected = true;
    m_nsp->add(this);
    if (!m_rooms.contains(m_id))
        m_rooms.append(m_id); // every socket is in a room named after its id, as in Node
    for (const QString &room : std::as_const(m_rooms))
        m_nsp->joinRoom(this, room);
    QJsonObject reply{{"sid", m_id}};
    m_connection->send({SocketIoPacket::Type::Connect, m_nsp->name(), -1, reply, {}});
    emit m_nsp->connection(this);
}

void SocketIoSocket::onEvent(const QJsonArray &data, const QList<QByteArray> &attachments, qint64 ackId) {
    QJsonArray args = data;
    const QJsonValue first = args.takeAt(0); // the event name (the parser also allows a number)
    const QString name = first.isString() ? first.toString() : first.toVariant().toString();
    emit event(name, args, attachments, ackId);
}

void SocketIoSocket::onDisconnected(const QString &reason) {
    const bool wasConnected = m_connected;
    m_connected = false;
    if (wasConnected)
        m_nsp->remove(this);
    if (m_connection)
        m_connection->removeSocket(this);
    if (wasConnected)
        emit disconnected(reason);
    deleteLater();
}

} // namespace nav::realtime
