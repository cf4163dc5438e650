#pragma once
// The address a client is known by for event routing. The HTTP side must compute a job's origin the same way
// so that ip:<addr> rooms match.
#include <QByteArray>
#include <QHostAddress>
#include <QString>

namespace nav::realtime {

// "::ffff:1.2.3.4" becomes "1.2.3.4"; other addresses use QHostAddress's canonical text form.
QString normalizeIp(const QString &address);

// With trustProxy, the first CF-Connecting-IP, else the first X-Forwarded-For entry, else the peer address.
QString clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor,
                      const QByteArray &cfConnectingIp, bool trustProxy);

} // namespace nav::realtime
