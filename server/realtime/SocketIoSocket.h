#pragma once
// One client's connection to one Socket.IO namespace: its id, the auth payload of its CONNECT, the rooms it
// is in, and the events it sends and receives. Never touches a transport; packets go through its
// SocketIoConnection.
#include "server/realtime/HandshakeInfo.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace nav::realtime {

class SocketIoConnection;
class SocketIoNamespace;

class SocketIoSocket final : public QObject {
    Q_OBJECT
public:
    SocketIoSocket(const QString &id, SocketIoNamespace *nsp, SocketIoConnection *connection,
                   const QJsonObject &auth);
    ~SocketIoSocket() override;

    QString id() const { return m_id; }
    SocketIoNamespace *nsp() const { return m_nsp; }
    const QJsonObject &auth() const { return m_auth; }
    const HandshakeInfo &handshake() const;
    const QStringList &rooms() const { return m_rooms; }
    bool isConnected() const { return m_connected; }

    void join(const QString &room);
    void leave(const QString &room);

    // Sends an event; `attachments` are the binary buffers its {"_placeholder":true} objects refer to.
    void emitEvent(const QString &event, const QJsonArray &args = {},
                   const QList<QByteArray> &attachments = {});
    // Answers an event that asked for an acknowledgement.
    void sendAck(qint64 ackId, const QJsonArray &args, const QList<QByteArray> &attachments = {});
    // Disconnects this socket from its namespace (the engine connection stays).
    void disconnectFromNamespace();

    // Used by SocketIoConnection.
    void onConnected();
    void onEvent(const QJsonArray &data, const QList<QByteArray> &attachments, qint64 ackId);
    void onDisconnected(const QString &reason);

signals:
    // An event from the client. ackId >= 0 when the client waits for sendAck(ackId, ...).
    void event(const QString &name, const QJsonArray &args, const QList<QByteArray> &attachments,
               qint64 ackId);
    void disconnected(const QString &reason);

private:
    QString m_id;
    SocketIoNamespace *m_nsp;
    QPointer<SocketIoConnection> m_connection;
    QJsonObject m_auth;
    QStringList m_rooms; // a handful per socket: a list, where a QSet would cost over 1 KiB each
    bool m_connected = false;
};

} // namespace nav::realtime
