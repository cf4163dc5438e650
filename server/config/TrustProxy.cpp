#include "server/config/TrustProxy.h"

#include <QStringList>

namespace nav::config {

namespace {

QHostAddress unmapped(const QHostAddress &address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

} // namespace

QString normalizeAddress(const QString &address) {
    const QString trimmed = address.trimmed();
    QHostAddress parsed(trimmed);
    if (parsed.isNull())
        return trimmed;
    parsed = unmapped(parsed);
    parsed.setScopeId({});
    return parsed.toString();
}

TrustProxy TrustProxy::hops(int count) {
    TrustProxy t;
    t.m_hops = count;
    return t;
}

std::optional<TrustProxy> TrustProxy::parse(const QString &text, QString *error) {
    const QString v = text.trimmed().toLower();
    if (v.isEmpty() || v == "false" || v == "no" || v == "off")
        return TrustProxy();
    if (v == "true" || v == "yes" || v == "on")
        return hops(1);
    bool isNumber = false;
    const int n = v.toInt(&isNumber);
    if (isNumber) {
        if (n < 0 || n > 32) {
            *error = QStringLiteral("must be a number of proxy hops from 0 to 32, got \"%1\"").arg(text);
            return std::nullopt;
        }
        return hops(n);
    }
    TrustProxy t;
    for (const QString &item : v.split(',', Qt::SkipEmptyParts)) {
        const QString entry = item.trimmed();
        if (entry == "loopback") {
            t.m_ranges << QHostAddress::parseSubnet("127.0.0.0/8") << QHostAddress::parseSubnet("::1/128");
        } else if (entry == "linklocal") {
            t.m_ranges << QHostAddress::parseSubnet("169.254.0.0/16")
                       << QHostAddress::parseSubnet("fe80::/10");
        } else if (entry == "uniquelocal") {
            t.m_ranges << QHostAddress::parseSubnet("10.0.0.0/8")
                       << QHostAddress::parseSubnet("172.16.0.0/12")
                       << QHostAddress::parseSubnet("192.168.0.0/16")
                       << QHostAddress::parseSubnet("fc00::/7");
        } else {
            QPair<QHostAddress, int> range = entry.contains('/')
                                                 ? QHostAddress::parseSubnet(entry)
                                                 : QPair<QHostAddress, int>(QHostAddress(entry), -1);
            if (range.first.isNull()) {
                *error = QStringLiteral("must be true, false, a number of hops, or a comma-separated list of "
                                        "addresses/CIDR ranges (or loopback, linklocal, uniquelocal); "
                                        "\"%1\" is none of these")
                             .arg(entry);
                return std::nullopt;
            }
            range.first = unmapped(range.first);
            if (range.second < 0)
                range.second = range.first.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
            t.m_ranges << range;
        }
    }
    return t;
}

bool TrustProxy::trusts(const QHostAddress &address, int index) const {
    if (m_hops > 0)
        return index < m_hops;
    const QHostAddress a = unmapped(address);
    for (const auto &range : m_ranges)
        if (a.isInSubnet(range))
            return true;
    return false;
}

QString TrustProxy::clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor,
                                  const QByteArray &cfConnectingIp) const {
    if (!enabled() || !trusts(peer, 0))
        return normalizeAddress(peer.toString());
    if (readCfConnectingIp && !cfConnectingIp.trimmed().isEmpty())
        return normalizeAddress(QString::fromLatin1(cfConnectingIp));
    // Hops from the nearest: the peer, then X-Forwarded-For from right to left.
    QStringList chain = QString::fromLatin1(forwardedFor).split(',', Qt::SkipEmptyParts);
    QString current = peer.toString();
    for (int index = 1; !chain.isEmpty(); ++index) {
        const QString next = chain.takeLast().trimmed();
        const QHostAddress nextAddress(normalizeAddress(next));
        current = next;
        if (nextAddress.isNull() || !trusts(nextAddress, index))
            break; // not an address, or not a proxy: this is the client as far as anyone trusted can tell
    }
    return normalizeAddress(current);
}

} // namespace nav::config
