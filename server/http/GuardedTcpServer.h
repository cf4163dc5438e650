#pragma once
// A QTcpServer that puts a ConnectionGuard on every accepted socket before QHttpServer sees it, and caps the
// open connections in total (HTTP_MAX_CONNECTIONS) and per client address (HTTP_MAX_CONNECTIONS_PER_IP)
// through ConnectionCaps. A connection over a cap is answered 503 and closed without reaching QHttpServer.
#include "server/http/ConnectionCaps.h"
#include "server/http/ConnectionGuard.h"

#include <QTcpServer>

namespace nav::http {

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    GuardedTcpServer(const ConnectionLimits &limits, QObject *parent = nullptr);
    int openConnections() const { return m_caps->openConnections(); }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    ConnectionLimits m_limits;
    std::shared_ptr<ConnectionCaps> m_caps;
};

} // namespace nav::http
