#pragma once
// The open-connection caps of one port: HTTP_MAX_CONNECTIONS in total and HTTP_MAX_CONNECTIONS_PER_IP per
// client address (trusted proxies exempt). admit() counts a new connection and hands out a ticket that gives
// its place back when destroyed; the ticket moves with the connection (a WebSocket taken over from its HTTP
// connection keeps counting until it closes). Used by RawHttpListener on both ports; tickets keep the caps
// alive, so a connection may outlive its server.
#include "server/http/ConnectionLimits.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>

#include <memory>

namespace nav::http {

class ConnectionCaps;

class ConnectionTicket {
public:
    ConnectionTicket() = default;
    ConnectionTicket(ConnectionTicket &&other) noexcept { *this = std::move(other); }
    ConnectionTicket &operator=(ConnectionTicket &&other) noexcept;
    ~ConnectionTicket() { release(); }
    void release();

private:
    friend class ConnectionCaps;
    std::shared_ptr<ConnectionCaps> m_caps;
    QHostAddress m_address; // counted per address when not null
};

class ConnectionCaps : public std::enable_shared_from_this<ConnectionCaps> {
public:
    explicit ConnectionCaps(const ConnectionLimits &limits) : m_limits(limits) {}

    // Counts a connection from peer into *ticket; when a cap is full, counts nothing and returns the reason
    // for the 503 (empty when admitted).
    QByteArray admit(const QHostAddress &peer, ConnectionTicket *ticket);
    int openConnections() const { return m_open; }
    // The peer as the per-address count knows it (IPv4-mapped IPv6 addresses as plain IPv4).
    static QHostAddress addressKey(const QHostAddress &peer);

private:
    friend class ConnectionTicket;
    void release(const QHostAddress &address);

    ConnectionLimits m_limits;
    int m_open = 0;
    QHash<QHostAddress, int> m_perAddress;
};

} // namespace nav::http
