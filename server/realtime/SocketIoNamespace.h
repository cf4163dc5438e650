#pragma once
// A Socket.IO namespace: an optional connect middleware (to accept or refuse a CONNECT, possibly after
// asynchronous work), its connected sockets and their rooms. Emitting to rooms sends each socket the event
// at most once, encoded once.
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QSet>

#include <functional>
#include <optional>

namespace nav::realtime {

class SocketIoSocket;

class SocketIoNamespace final : public QObject {
    Q_OBJECT
public:
    // Calls next(std::nullopt) to accept, or next(error object) to refuse with CONNECT_ERROR; may call later.
    using Next = std::function<void(std::optional<QJsonObject> error)>;
    using Middleware = std::function<void(SocketIoSocket *socket, Next next)>;

    explicit SocketIoNamespace(const QString &name, QObject *parent = nullptr);

    QString name() const { return m_name; }
    void setMiddleware(Middleware middleware) { m_middleware = std::move(middleware); }
    const Middleware &middleware() const { return m_middleware; }

    int socketCount() const { return static_cast<int>(m_sockets.size()); }
    QSet<SocketIoSocket *> socketsIn(const QStringList &rooms) const;
    QStringList roomNames() const { return m_rooms.keys(); }

    // Emits to every socket in any of `rooms` (each once).
    void emitToRooms(const QStringList &rooms, const QString &event, const QJsonArray &args);
    void emitToAll(const QString &event, const QJsonArray &args);

    // Bookkeeping, used by SocketIoSocket and SocketIoConnection.
    void add(SocketIoSocket *socket);
    void remove(SocketIoSocket *socket);
    void joinRoom(SocketIoSocket *socket, const QString &room);
    void leaveRoom(SocketIoSocket *socket, const QString &room);

signals:
    void connection(nav::realtime::SocketIoSocket *socket);

private:
    void emitTo(const QSet<SocketIoSocket *> &sockets, const QString &event, const QJsonArray &args);

    QString m_name;
    Middleware m_middleware;
    QSet<SocketIoSocket *> m_sockets;
    QHash<QString, QList<SocketIoSocket *>> m_rooms; // members of a room are few, so a list, not a QSet
};

} // namespace nav::realtime
