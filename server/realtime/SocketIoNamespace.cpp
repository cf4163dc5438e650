#include "server/realtime/SocketIoNamespace.h"

#include "server/realtime/SocketIoConnection.h"
#include "server/realtime/SocketIoSocket.h"
#include "shared/realtime/SocketIoPacket.h"

namespace nav::realtime {

SocketIoNamespace::SocketIoNamespace(const QString &name, QObject *parent) : QObject(parent), m_name(name) {}

QSet<SocketIoSocket *> SocketIoNamespace::socketsIn(const QStringList &rooms) const {
    QSet<SocketIoSocket *> result;
    for (const QString &room : rooms)
        for (SocketIoSocket *socket : m_rooms.value(room))
            result.insert(socket);
    return result;
}

void SocketIoNamespace::emitToRooms(const QStringList &rooms, const QString &event, const QJsonArray &args) {
    emitTo(socketsIn(rooms), event, args);
}

void SocketIoNamespace::emitToAll(const QString &event, const QJsonArray &args) {
    emitTo(m_sockets, event, args);
}

void SocketIoNamespace::emitTo(const QSet<SocketIoSocket *> &sockets, const QString &event,
                               const QJsonArray &args) {
    if (sockets.isEmpty())
        return;
    QJsonArray data{event};
    for (const QJsonValue &arg : args)
        data.append(arg);
    const QByteArray encoded = SocketIoCodec::encode({SocketIoPacket::Type::Event, m_name, -1, data, {}});
    for (SocketIoSocket *socket : sockets)
        if (auto *connection = qobject_cast<SocketIoConnection *>(socket->parent()))
            connection->sendEncoded(encoded);
}

void SocketIoNamespace::add(SocketIoSocket *socket) {
    m_sockets.insert(socket);
}

void SocketIoNamespace::remove(SocketIoSocket *socket) {
    m_sockets.remove(socket);
    for (const QString &room : socket->rooms())
        leaveRoom(socket, room);
}

void SocketIoNamespace::joinRoom(SocketIoSocket *socket, const QString &room) {
    m_rooms[room].append(socket); // once: SocketIoSocket joins a room only if it is not in it yet
}

void SocketIoNamespace::leaveRoom(SocketIoSocket *socket, const QString &room) {
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->removeOne(socket);
    if (it->isEmpty())
        m_rooms.erase(it);
}

} // namespace nav::realtime
