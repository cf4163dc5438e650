#pragma once
// The Socket.IO side of one Engine.IO session: decodes its messages into packets, handles namespace
// CONNECT (through the namespace middleware), DISCONNECT, EVENT and ACK, and closes the session on a
// malformed packet or when no namespace is joined within connectTimeout.
#include "shared/realtime/SocketIoDecoder.h"

#include <QBasicTimer>
#include <QList>
#include <QObject>

namespace nav::realtime {

class EngineSession;
class SocketIoServer;
class SocketIoSocket;
struct HandshakeInfo;

class SocketIoConnection final : public QObject {
    Q_OBJECT
public:
    SocketIoConnection(EngineSession *session, SocketIoServer *server, int connectTimeoutMs);
    ~SocketIoConnection() override;

    const HandshakeInfo &handshake() const;
    void send(const SocketIoPacket &packet);
    // Sends an already encoded packet (the same bytes can go to many connections).
    void sendEncoded(const QByteArray &text, const QList<QByteArray> &attachments = {});
    void removeSocket(SocketIoSocket *socket);
    void close();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void onMessage(const QByteArray &data, bool binary);
    void onPacket(SocketIoPacket packet);
    void onConnect(const SocketIoPacket &packet);
    void onClosed(const QString &reason);

    EngineSession *m_session;
    SocketIoServer *m_server;
    SocketIoDecoder m_decoder;
    // The namespace with that name's socket, or null.
    SocketIoSocket *socketIn(const QString &nsp) const;

    QList<SocketIoSocket *> m_sockets; // one per namespace, including ones awaiting middleware
    QBasicTimer m_connectTimer;        // a basic timer: no QObject per connection (see EngineSession)
};

} // namespace nav::realtime
