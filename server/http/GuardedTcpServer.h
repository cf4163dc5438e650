#pragma once
// A QTcpServer that puts a ConnectionGuard on every accepted socket before QHttpServer sees it, and caps the
// open connections in total (HTTP_MAX_CONNECTIONS) and per client address (HTTP_MAX_CONNECTIONS_PER_IP).
// A connection over a cap is answered 503 and closed without reaching QHttpServer.
#include "server/http/ConnectionGuard.h"

#include <QHash>
#include <QTcpServer>

namespace nav::http {

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    GuardedTcpServer(const ConnectionLimits &limits, QObject *parent = nullptr);
    int openConnections() const { return m_open; }
    // For a connection taken over from its QTcpSocket (a WebSocket on its own descriptor): the connection
    // keeps counting against the caps until newOwner is destroyed. False when socket was not counted here.
    static bool moveConnectionTally(QObject *socket, QObject *newOwner);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    ConnectionLimits m_limits;
    int m_open = 0;
    QHash<QString, int> m_perAddress;
};

} // namespace nav::http
