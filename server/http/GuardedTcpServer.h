#pragma once
// A QTcpServer that puts a ConnectionGuard on every accepted socket before QHttpServer sees it.
#include "server/http/ConnectionGuard.h"

#include <QTcpServer>

namespace nav::http {

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    GuardedTcpServer(const ConnectionLimits &limits, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    ConnectionLimits m_limits;
};

} // namespace nav::http
