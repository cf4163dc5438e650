#pragma once
// Where Navigator's own outgoing requests to third parties may go (SSRF policy), shared by the CivitAI
// proxy and the model downloader. A URL is allowed when it is on the configured CivitAI origin (scheme, host
// and port of CIVITAI_API_BASE, chosen by the operator), or when its host resolves only to public addresses:
// loopback, private, carrier-grade NAT, link-local, unique-local, multicast, unspecified and the IPv4-mapped
// or numeric spellings of any of them (::ffff:127.0.0.1, 2130706433, 0x7f.1) are refused. The downloader
// checks the first URL and every redirect before following it.
//
// The check resolves the name and the connection resolves it again; a DNS server that answers differently
// the second time (rebinding) is not covered.
#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <functional>
#include <optional>

namespace nav::civitai {

class OutboundPolicy {
public:
    explicit OutboundPolicy(const QUrl &trustedOrigin) : m_trusted(trustedOrigin) {}

    // False for loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, broadcast and
    // reserved addresses, in any spelling (IPv4-mapped IPv6 included).
    static bool isPublicAddress(const QHostAddress &address);

    bool isTrustedOrigin(const QUrl &url) const;
    // Calls done(std::nullopt) when `url` may be fetched, or done(reason) when not; may resolve the host
    // first (asynchronously, on `context`'s thread).
    void check(const QUrl &url, QObject *context, std::function<void(std::optional<QString>)> done) const;

private:
    QUrl m_trusted;
};

} // namespace nav::civitai
