#include "server/realtime/ClientAddress.h"

namespace nav::realtime {

QString normalizeIp(const QString &address) {
    const QString trimmed = address.trimmed();
    QHostAddress parsed(trimmed);
    if (parsed.isNull())
        return trimmed;
    bool isV4 = false;
    const quint32 v4 = parsed.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString();
    parsed.setScopeId({});
    return parsed.toString();
}

QString clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor,
                      const QByteArray &cfConnectingIp, bool trustProxy) {
    if (trustProxy) {
        if (!cfConnectingIp.trimmed().isEmpty())
            return normalizeIp(QString::fromLatin1(cfConnectingIp));
        const QByteArray first = forwardedFor.split(',').first().trimmed();
        if (!first.isEmpty())
            return normalizeIp(QString::fromLatin1(first));
    }
    return normalizeIp(peer.toString());
}

} // namespace nav::realtime
