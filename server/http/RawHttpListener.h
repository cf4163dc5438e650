#pragma once
// The listening socket of either port: accepts connections (backlog 1024) and gives each accepted descriptor
// straight to a RawHttpConnection, with no QTcpSocket in between. The open connections are capped in total
// (HTTP_MAX_CONNECTIONS) and per client address (HTTP_MAX_CONNECTIONS_PER_IP, trusted proxies exempt); a
// connection over a cap is answered 503 with Retry-After and closed.
#include "server/http/ConnectionCaps.h"
#include "server/http/RawHttpConnection.h"

#include <QTcpServer>

namespace nav::http {

class RawHttpListener final : public QTcpServer {
    Q_OBJECT
public:
    RawHttpListener(const ConnectionLimits &limits, RawHttpConnection::RequestHandler *handler,
                    QObject *parent = nullptr);
    int openConnections() const { return m_caps->openConnections(); }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    ConnectionLimits m_limits;
    std::shared_ptr<ConnectionCaps> m_caps;
    RawHttpConnection::RequestHandler *m_handler;
};

} // namespace nav::http
