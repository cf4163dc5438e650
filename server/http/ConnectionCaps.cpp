#include "server/http/ConnectionCaps.h"

namespace nav::http {

ConnectionTicket &ConnectionTicket::operator=(ConnectionTicket &&other) noexcept {
    if (this != &other) {
        release();
        m_caps = std::move(other.m_caps);
        m_address = std::exchange(other.m_address, QHostAddress());
    }
    return *this;
}

void ConnectionTicket::release() {
    if (const std::shared_ptr<ConnectionCaps> caps = std::exchange(m_caps, nullptr))
        caps->release(std::exchange(m_address, QHostAddress()));
}

QHostAddress ConnectionCaps::addressKey(const QHostAddress &peer) {
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : peer;
}

QByteArray ConnectionCaps::admit(const QHostAddress &peer, ConnectionTicket *ticket) {
    const QHostAddress key = addressKey(peer);
    const bool counted = m_limits.maxConnectionsPerAddress > 0 &&
                         !(m_limits.exemptFromAddressLimit && m_limits.exemptFromAddressLimit(peer));
    if (m_open >= m_limits.maxConnections)
        return "Too many open connections (HTTP_MAX_CONNECTIONS)";
    if (counted && m_perAddress.value(key) >= m_limits.maxConnectionsPerAddress)
        return "Too many open connections from your address (HTTP_MAX_CONNECTIONS_PER_IP)";
    ++m_open;
    if (counted)
        ++m_perAddress[key];
    ticket->release();
    ticket->m_caps = shared_from_this();
    ticket->m_address = counted ? key : QHostAddress();
    return {};
}

void ConnectionCaps::release(const QHostAddress &address) {
    --m_open;
    if (address.isNull())
        return;
    const auto it = m_perAddress.find(address);
    if (it != m_perAddress.end() && --*it <= 0)
        m_perAddress.erase(it);
}

} // namespace nav::http
