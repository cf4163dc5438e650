#include "server/http/RawHttpListener.h"

#include "server/http/HttpLogging_p.h"

#include <sys/socket.h>
#include <unistd.h>

namespace nav::http {

RawHttpListener::RawHttpListener(const ConnectionLimits &limits, RawHttpConnection::RequestHandler *handler,
                                 QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_caps(std::make_shared<ConnectionCaps>(limits)),
      m_handler(handler) {
    // Clients reconnect all at once after a restart; the default backlog (50) drops their SYNs, which costs
    // each of them a one-second retransmit.
    setListenBacklogSize(1024);
}

void RawHttpListener::incomingConnection(qintptr descriptor) {
    const int fd = static_cast<int>(descriptor);
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        ::close(fd); // already gone
        return;
    }
    const QHostAddress peer(reinterpret_cast<const sockaddr *>(&address));
    ConnectionTicket ticket;
    const QByteArray refusal = m_caps->admit(peer, &ticket);
    auto *connection = new RawHttpConnection(fd, peer, std::move(ticket), &m_limits, m_handler, this);
    if (!refusal.isEmpty()) {
        qCWarning(lcHttp).noquote() << "refusing a connection from"
                                    << ConnectionCaps::addressKey(peer).toString() << "on port"
                                    << serverPort() << ":" << refusal;
        connection->refuse(503, refusal, "Retry-After: 5\r\n");
    }
}

} // namespace nav::http
