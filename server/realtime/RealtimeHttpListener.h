#pragma once
// The realtime port's listening socket: accepts connections (backlog 1024) and gives each accepted
// descriptor straight to a RealtimeHttpConnection, with no QTcpSocket in between. The open connections are
// capped in total (HTTP_MAX_CONNECTIONS) and per client address (HTTP_MAX_CONNECTIONS_PER_IP, trusted
// proxies exempt) as on the API port; a connection over a cap is answered 503 with Retry-After and closed.
#include "server/http/ConnectionCaps.h"
#include "server/realtime/RealtimeHttpConnection.h"

#include <QTcpServer>

namespace nav::realtime {

class RealtimeHttpListener final : public QTcpServer {
    Q_OBJECT
public:
    RealtimeHttpListener(const nav::http::ConnectionLimits &limits, RealtimeHttpConnection::Handler *handler,
                         QObject *parent = nullptr);
    int openConnections() const { return m_caps->openConnections(); }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    nav::http::ConnectionLimits m_limits;
    std::shared_ptr<nav::http::ConnectionCaps> m_caps;
    RealtimeHttpConnection::Handler *m_handler;
};

} // namespace nav::realtime
