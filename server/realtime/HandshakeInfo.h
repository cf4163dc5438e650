#pragma once
// What the server knows about the HTTP request that opened an Engine.IO session.
#include <QByteArray>
#include <QHostAddress>
#include <QString>

namespace nav::realtime {

struct HandshakeInfo {
    QHostAddress address;      // peer address of the TCP connection
    QByteArray forwardedFor;   // X-Forwarded-For header, raw
    QByteArray cfConnectingIp; // CF-Connecting-IP header, raw
    QString path;              // the request path, one of EngineSettings::paths
};

} // namespace nav::realtime
