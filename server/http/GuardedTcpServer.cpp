#include "server/http/GuardedTcpServer.h"

#include "server/http/HttpLogging_p.h"

#include <QTcpSocket>

namespace nav::http {

namespace {

// Holds a socket's place under the caps until the socket is destroyed (a child object's destructor, not a
// destroyed() connection, so nothing can disconnect it).
class ConnectionTally : public QObject {
public:
    ConnectionTally(QObject *socket, ConnectionTicket ticket)
        : QObject(socket), m_ticket(std::move(ticket)) {}

private:
    ConnectionTicket m_ticket;
};

} // namespace

GuardedTcpServer::GuardedTcpServer(const ConnectionLimits &limits, QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_caps(std::make_shared<ConnectionCaps>(limits)) {}

void GuardedTcpServer::incomingConnection(qintptr descriptor) {
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    ConnectionTicket ticket;
    const QByteArray refusal = m_caps->admit(socket->peerAddress(), &ticket);
    if (!refusal.isEmpty()) {
        qCWarning(lcHttp).noquote() << "refusing a connection from"
                                    << ConnectionCaps::addressKey(socket->peerAddress()).toString()
                                    << "on port" << serverPort() << ":" << refusal;
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        ConnectionGuard::refuseConnection(socket, 503, refusal, "Retry-After: 5\r\n");
        return;
    }
    new ConnectionTally(socket, std::move(ticket));
    new ConnectionGuard(socket, m_limits);
    addPendingConnection(socket);
}

} // namespace nav::http
