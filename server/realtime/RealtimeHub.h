#pragma once
// The realtime API the rest of the server uses: a socket.io server on its own port (RT_API_PORT) whose
// sockets are put in rooms by who they are, so that "who may see this event" is a choice of rooms:
//  - user:<discord id>  sockets that connected with auth {token} of that user
//  - admins             sockets whose user has role >= 3 (they see every job event)
//  - ip:<address>       sockets WITHOUT auth (Compass today), by client address, as the original did
// Broadcasts (models-refreshed) go to every socket. Every socket gets `connected {message}` on connect.
#include "server/realtime/Identity.h"
#include "server/realtime/RealtimeSettings.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>

namespace nav::realtime {

class EngineServer;
class SocketIoNamespace;
class SocketIoServer;
class SocketIoSocket;

class RealtimeHub final : public QObject {
    Q_OBJECT
public:
    RealtimeHub(const RealtimeSettings &settings, TokenVerifier verifier, QObject *parent = nullptr);
    ~RealtimeHub() override;

    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    QString errorString() const;

    void emitToAdmins(const QString &event, const QJsonObject &payload);
    void emitToAll(const QString &event, const QJsonObject &payload);
    // A job event: to the owner's sockets, the unauthenticated sockets of the submitting address, and admins;
    // each socket at most once. A payload's "origin" (the submitter's IP) is never sent.
    void emitJobEvent(const QString &ownerId, const QString &originIp, const QString &event,
                      const QJsonObject &payload);

    int connectedClients() const;
    // Graceful shutdown: closes every client's session at the Engine.IO level (clients reconnect later).
    void closeAll();
    // Engine.IO sessions by transport ("polling", "websocket"), for GET /metrics.
    QHash<QString, int> clientsByTransport() const;

    // Privileges follow the user on open sockets, at once: a user whose role drops below admin leaves the
    // admins room (and one raised to admin joins it); a disabled user (role 0) or a deleted one is
    // disconnected.
    void userRoleChanged(const QString &discordId, int role);
    void userRemoved(const QString &discordId);
    // The users with an authenticated socket open, each with whether their sockets are in the admins room.
    QHash<QString, bool> connectedUsers() const;
    // Applies roles read again from the database to the users of `connected` (a connectedUsers() taken
    // before the read): one missing from `roles` is gone and disconnected, one whose admin standing
    // changed joins or leaves the admins room. Catches changes made outside Navigator's API.
    void reconcileRoles(const QHash<QString, bool> &connected, const QHash<QString, int> &roles);

private:
    void authenticate(SocketIoSocket *socket, std::function<void(std::optional<QJsonObject>)> next);
    void emitTo(const QStringList &rooms, const QString &event, const QJsonObject &payload);

    RealtimeSettings m_settings;
    TokenVerifier m_verifier;
    EngineServer *m_engine;
    SocketIoServer *m_io;
    SocketIoNamespace *m_root;
};

} // namespace nav::realtime
