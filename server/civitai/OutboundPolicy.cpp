#include "server/civitai/OutboundPolicy.h"

#include <QHostInfo>
#include <QPointer>

namespace nav::civitai {

namespace {

const QList<QPair<QHostAddress, int>> &blockedRanges() {
    static const QList<QPair<QHostAddress, int>> ranges = [] {
        QList<QPair<QHostAddress, int>> list;
        for (const char *cidr :
             {"0.0.0.0/8",       "10.0.0.0/8",     "100.64.0.0/10", "127.0.0.0/8",    "169.254.0.0/16",
              "172.16.0.0/12",   "192.0.0.0/24",   "192.0.2.0/24",  "192.168.0.0/16", "198.18.0.0/15",
              "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",   "240.0.0.0/4",    "::/128",
              "::1/128",         "64:ff9b::/96",   "100::/64",      "2001:db8::/32",  "fc00::/7",
              "fe80::/10",       "ff00::/8"})
            list << QHostAddress::parseSubnet(QString::fromLatin1(cidr));
        return list;
    }();
    return ranges;
}

} // namespace

bool OutboundPolicy::isPublicAddress(const QHostAddress &address) {
    if (address.isNull())
        return false;
    QHostAddress a = address;
    bool mapped = false;
    const quint32 v4 = a.toIPv4Address(&mapped); // also unmaps ::ffff:a.b.c.d
    if (mapped)
        a = QHostAddress(v4);
    for (const auto &range : blockedRanges())
        if (a.isInSubnet(range))
            return false;
    return true;
}

bool OutboundPolicy::isTrustedOrigin(const QUrl &url) const {
    auto port = [](const QUrl &u) { return u.port(u.scheme() == QLatin1String("https") ? 443 : 80); };
    return m_trusted.isValid() && url.scheme() == m_trusted.scheme() &&
           url.host().compare(m_trusted.host(), Qt::CaseInsensitive) == 0 && port(url) == port(m_trusted);
}

void OutboundPolicy::check(const QUrl &url, QObject *context,
                           std::function<void(std::optional<QString>)> done) const {
    if (!url.isValid() || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) ||
        url.host().isEmpty())
        return done(QStringLiteral("not an http(s) URL: %1").arg(url.toDisplayString()));
    if (isTrustedOrigin(url))
        return done(std::nullopt);
    const QString host = url.host();
    const QHostAddress literal(host);
    if (!literal.isNull())
        return done(isPublicAddress(literal)
                        ? std::nullopt
                        : std::optional(QStringLiteral("%1 is not a public address").arg(host)));
    QPointer<QObject> guard(context);
    QHostInfo::lookupHost(host, context, [guard, host, done](const QHostInfo &info) {
        if (!guard)
            return;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty())
            return done(QStringLiteral("%1 could not be resolved").arg(host));
        for (const QHostAddress &address : info.addresses())
            if (!isPublicAddress(address))
                return done(QStringLiteral("%1 resolves to %2, which is not a public address")
                                .arg(host, address.toString()));
        done(std::nullopt);
    });
}

} // namespace nav::civitai
