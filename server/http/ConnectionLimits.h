#pragma once
// The per-connection and per-port limits shared by the HTTP API port and the realtime port.
#include "server/http/BodyBudget.h"
#include "server/http/RequestFraming.h"

#include <QHostAddress>

#include <functional>
#include <memory>

namespace nav::http {

struct ConnectionLimits {
    qint64 maxBodyBytes = 50LL * 1024 * 1024; // MAX_BODY_SIZE (RT_MAX_PAYLOAD on the realtime port)
    qint64 idleTimeoutMs = 60'000;            // HTTP_IDLE_TIMEOUT: between requests
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 headerTimeoutMs = 10'000;    // HTTP_HEADER_TIMEOUT: from the first byte of a head to its end
    qint64 bodyTimeoutMs = 60'000;      // HTTP_BODY_TIMEOUT: from the end of a head to the end of its body
    int maxConnections = 4096;          // HTTP_MAX_CONNECTIONS: open connections on this port
    int maxConnectionsPerAddress = 128; // HTTP_MAX_CONNECTIONS_PER_IP (0: no limit)
    // Peers not counted per address (trusted reverse proxies, whose connections carry many clients).
    std::function<bool(const QHostAddress &)> exemptFromAddressLimit;
    const char *bodyLimitName = "MAX_BODY_SIZE"; // the setting behind maxBodyBytes, named in a 413
    std::shared_ptr<BodyBudget> bodyBudget;      // HTTP_BODY_BUDGET, shared by both ports; null: no budget

    FramingLimits framing() const { return FramingLimits{maxBodyBytes, maxHeaderBytes, bodyLimitName}; }
};

} // namespace nav::http
