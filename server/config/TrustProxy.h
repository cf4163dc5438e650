#pragma once
// TRUST_PROXY: which reverse proxies in front of Navigator are trusted to report the client address, with
// the meaning of Express's `trust proxy`:
//  - false (default): the TCP peer is the client; X-Forwarded-For is ignored;
//  - true or a number N: the nearest N hops (the peer, then X-Forwarded-For entries from the right) are
//    proxies; true means 1;
//  - a comma-separated list of addresses or CIDR ranges (and the names loopback, linklocal, uniquelocal):
//    hops inside them are proxies.
// The client address is the first hop, walking from the peer leftwards through X-Forwarded-For, that is not
// a trusted proxy (the address the nearest trusted proxy saw). Entries a client wrote itself sit to the left
// of that and are never reached. CF-Connecting-IP is read only with TRUST_CF_CONNECTING_IP=true, and only
// when the peer itself is a trusted proxy.
#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace nav::config {

class TrustProxy {
public:
    TrustProxy() = default;
    // nullopt with *error set when the text is not valid.
    static std::optional<TrustProxy> parse(const QString &text, QString *error);
    static TrustProxy hops(int count);

    bool enabled() const { return m_hops > 0 || !m_ranges.isEmpty(); }
    // Whether the hop at `index` (0 = the TCP peer) with this address is a trusted proxy.
    bool trusts(const QHostAddress &address, int index) const;
    // The client's address, normalized (IPv4 without the ::ffff: prefix).
    QString clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor,
                          const QByteArray &cfConnectingIp = {}) const;

    bool readCfConnectingIp = false; // TRUST_CF_CONNECTING_IP

private:
    int m_hops = 0;
    QList<QPair<QHostAddress, int>> m_ranges;
};

// An address as text without an IPv4-mapped prefix or scope id; text that is no address comes back trimmed.
QString normalizeAddress(const QString &address);

} // namespace nav::config
