#pragma once
// Who a socket belongs to, as established by its CONNECT auth token. The check is injected so that realtime
// does not depend on the auth module; it is asynchronous because the role comes from the database.
#include <QString>

#include <functional>
#include <optional>

namespace nav::realtime {

struct Identity {
    QString discordId;
    int role = 0;
};

// Verifies `token` and calls `done` with the identity, or std::nullopt to refuse the socket.
using TokenVerifier =
    std::function<void(const QString &token, std::function<void(std::optional<Identity>)> done)>;

// Role from which a socket receives every job event.
constexpr int kAdminRole = 3;

} // namespace nav::realtime
