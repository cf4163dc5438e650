#include "server/http/GuardedTcpServer.h"

#include "server/http/HttpLogging_p.h"

#include <QPointer>
#include <QTcpSocket>

namespace nav::http {

namespace {

// Gives a connection's place back when its owner (the socket, or what took the connection over from it) is
// destroyed. A destructor, not a destroyed() connection, so nothing can disconnect it.
class ConnectionTally : public QObject {
public:
    ConnectionTally(QObject *socket, std::function<void()> release)
        : QObject(socket), m_release(std::move(release)) {}
    ~ConnectionTally() override { m_release(); }

private:
    std::function<void()> m_release;
};

QString addressKey(const QHostAddress &address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

} // namespace

bool GuardedTcpServer::moveConnectionTally(QObject *socket, QObject *newOwner) {
    for (QObject *child : socket->children()) {
        if (auto *tally = dynamic_cast<ConnectionTally *>(child)) {
            tally->setParent(newOwner);
            return true;
        }
    }
    return false;
}

GuardedTcpServer::GuardedTcpServer(const ConnectionLimits &limits, QObject *parent)
    : QTcpServer(parent), m_limits(limits) {}

void GuardedTcpServer::incomingConnection(qintptr descriptor) {
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    const QHostAddress peer = socket->peerAddress();
    const QString key = addressKey(peer);
    const bool counted = m_limits.maxConnectionsPerAddress > 0 &&
                         !(m_limits.exemptFromAddressLimit && m_limits.exemptFromAddressLimit(peer));
    QByteArray refusal;
    if (m_open >= m_limits.maxConnections)
        refusal = "Too many open connections (HTTP_MAX_CONNECTIONS)";
    else if (counted && m_perAddress.value(key) >= m_limits.maxConnectionsPerAddress)
        refusal = "Too many open connections from your address (HTTP_MAX_CONNECTIONS_PER_IP)";
    if (!refusal.isEmpty()) {
        qCWarning(lcHttp).noquote() << "refusing a connection from" << key << "on port" << serverPort() << ":"
                                    << refusal;
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        ConnectionGuard::refuseConnection(socket, 503, refusal, "Retry-After: 5\r\n");
        return;
    }
    ++m_open;
    if (counted)
        ++m_perAddress[key];
    new ConnectionTally(socket, [self = QPointer<GuardedTcpServer>(this), key, counted] {
        if (!self)
            return;
        --self->m_open;
        if (counted && --self->m_perAddress[key] <= 0)
            self->m_perAddress.remove(key);
    });
    new ConnectionGuard(socket, m_limits);
    addPendingConnection(socket);
}

} // namespace nav::http
