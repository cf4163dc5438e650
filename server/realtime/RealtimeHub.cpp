#include "server/realtime/RealtimeHub.h"

#include "server/realtime/EngineServer.h"
#include "server/realtime/RealtimeLogging_p.h"
#include "server/realtime/SocketIoNamespace.h"
#include "server/realtime/SocketIoServer.h"
#include "server/realtime/SocketIoSocket.h"

#include <QPointer>

namespace nav::realtime {

namespace {

EngineSettings engineSettings(const RealtimeSettings &s) {
    EngineSettings e;
    e.pingIntervalMs = s.pingIntervalMs;
    e.pingTimeoutMs = s.pingTimeoutMs;
    e.maxPayload = s.maxPayload;
    e.maxSessions = s.maxSessions;
    e.corsOrigin = s.corsOrigin;
    e.connection = s.connection;
    return e;
}

QString userRoom(const QString &id) {
    return QStringLiteral("user:") + id;
}
QString ipRoom(const QString &ip) {
    return QStringLiteral("ip:") + nav::config::normalizeAddress(ip);
}
const QString kAdminsRoom = QStringLiteral("admins");

} // namespace

RealtimeHub::RealtimeHub(const RealtimeSettings &settings, TokenVerifier verifier, QObject *parent)
    : QObject(parent), m_settings(settings), m_verifier(std::move(verifier)),
      m_engine(new EngineServer(engineSettings(settings), this)),
      m_io(new SocketIoServer(m_engine, settings.connectTimeoutMs, {}, this)),
      m_root(m_io->of(QStringLiteral("/"))) {
    m_root->setMiddleware([this](SocketIoSocket *socket, SocketIoNamespace::Next next) {
        authenticate(socket, std::move(next));
    });
    connect(m_root, &SocketIoNamespace::connection, this, [](SocketIoSocket *socket) {
        socket->emitEvent(QStringLiteral("connected"),
                          {QJsonObject{{"message", QStringLiteral("Connected to Navigator")}}});
    });
}

RealtimeHub::~RealtimeHub() = default;

bool RealtimeHub::listen(const QHostAddress &address, quint16 port) {
    return m_engine->listen(address, port);
}

quint16 RealtimeHub::port() const {
    return m_engine->port();
}

QString RealtimeHub::errorString() const {
    return m_engine->errorString();
}

void RealtimeHub::authenticate(SocketIoSocket *socket, std::function<void(std::optional<QJsonObject>)> next) {
    const QJsonValue token = socket->auth().value(QStringLiteral("token"));
    if (token.isUndefined() || token.isNull()) {
        const HandshakeInfo &h = socket->handshake();
        socket->join(
            ipRoom(m_settings.trustProxy.clientAddress(h.address, h.forwardedFor, h.cfConnectingIp)));
        next(std::nullopt);
        return;
    }
    const QJsonObject refused{{"message", QStringLiteral("Not authorized")}};
    if (!token.isString() || !m_verifier) {
        next(refused);
        return;
    }
    QPointer<SocketIoSocket> guard(socket);
    m_verifier(token.toString(), [guard, next, refused](std::optional<Identity> identity) {
        if (!guard)
            return;
        if (!identity) {
            next(refused);
            return;
        }
        guard->join(userRoom(identity->discordId));
        if (identity->role >= kAdminRole)
            guard->join(kAdminsRoom);
        next(std::nullopt);
    });
}

void RealtimeHub::emitTo(const QStringList &rooms, const QString &event, const QJsonObject &payload) {
    QJsonObject clean = payload;
    clean.remove(QStringLiteral("origin"));
    if (rooms.isEmpty())
        m_root->emitToAll(event, {clean});
    else
        m_root->emitToRooms(rooms, event, {clean});
}

void RealtimeHub::emitToAdmins(const QString &event, const QJsonObject &payload) {
    emitTo({kAdminsRoom}, event, payload);
}

void RealtimeHub::emitToAll(const QString &event, const QJsonObject &payload) {
    emitTo({}, event, payload);
}

void RealtimeHub::emitJobEvent(const QString &ownerId, const QString &originIp, const QString &event,
                               const QJsonObject &payload) {
    QStringList rooms{kAdminsRoom};
    if (!ownerId.isEmpty())
        rooms << userRoom(ownerId);
    if (!originIp.isEmpty())
        rooms << ipRoom(originIp);
    emitTo(rooms, event, payload);
}

void RealtimeHub::userRoleChanged(const QString &discordId, int role) {
    if (role <= 0)
        return userRemoved(discordId);
    const auto sockets = m_root->socketsIn({userRoom(discordId)});
    for (SocketIoSocket *socket : sockets) {
        if (role >= kAdminRole)
            socket->join(kAdminsRoom);
        else
            socket->leave(kAdminsRoom);
    }
    if (!sockets.isEmpty())
        qCInfo(lcRealtime).noquote() << "role of" << discordId << "is now" << role << "on" << sockets.size()
                                     << "open socket(s)";
}

void RealtimeHub::userRemoved(const QString &discordId) {
    const auto sockets = m_root->socketsIn({userRoom(discordId)});
    for (SocketIoSocket *socket : sockets)
        socket->disconnectFromNamespace();
    if (!sockets.isEmpty())
        qCInfo(lcRealtime).noquote() << "disconnected" << sockets.size() << "socket(s) of" << discordId;
}

QHash<QString, bool> RealtimeHub::connectedUsers() const {
    static const QString prefix = userRoom({});
    QHash<QString, bool> users;
    for (const QString &room : m_root->roomNames()) {
        if (!room.startsWith(prefix))
            continue;
        bool admin = false;
        for (const SocketIoSocket *socket : m_root->socketsIn({room}))
            admin = admin || socket->rooms().contains(kAdminsRoom);
        users.insert(room.mid(prefix.size()), admin);
    }
    return users;
}

void RealtimeHub::reconcileRoles(const QHash<QString, bool> &connected, const QHash<QString, int> &roles) {
    for (auto it = connected.begin(); it != connected.end(); ++it) {
        const int role = roles.value(it.key(), 0);
        if (role <= 0) {
            qCInfo(lcRealtime).noquote() << it.key() << "has no role in the database any more";
            userRemoved(it.key());
        } else if ((role >= kAdminRole) != it.value()) {
            userRoleChanged(it.key(), role);
        }
    }
}

int RealtimeHub::connectedClients() const {
    return m_root->socketCount();
}

QHash<QString, int> RealtimeHub::clientsByTransport() const {
    return m_engine->sessionsByTransport();
}

} // namespace nav::realtime

namespace nav::realtime {

void RealtimeHub::closeAll() {
    m_engine->closeAll();
}

} // namespace nav::realtime
