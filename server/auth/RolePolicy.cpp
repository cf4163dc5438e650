#include "server/auth/RolePolicy.h"

namespace nav::auth {

bool RolePolicy::isDiscordId(const QString &id) {
    if (id.isEmpty() || id.size() > 20)
        return false;
    for (const QChar c : id) {
        if (c < '0' || c > '9')
            return false;
    }
    // A snowflake is a positive 64-bit number written without leading zeros: "0", "007" or "00" would name
    // a row the database reads back as another id (or none).
    if (id.startsWith(QLatin1Char('0')))
        return false;
    bool ok = false;
    const qlonglong value = id.toLongLong(&ok);
    return ok && value > 0;
}

std::optional<PolicyRefusal> RolePolicy::checkChange(const Caller &caller, const QString &target,
                                                     std::optional<int> targetRole, int newRole) {
    if (caller.role < RoleArchitect)
        return PolicyRefusal{403, QStringLiteral("You do not have permission to manage users"),
                             QStringLiteral("INSUFFICIENT_ROLE")};
    if (!isDiscordId(target))
        return PolicyRefusal{400, QStringLiteral("Discord ID must be a number"),
                             QStringLiteral("INVALID_DISCORD_ID")};
    if (!isValidRole(newRole))
        return PolicyRefusal{400, QStringLiteral("role must be an integer from 0 to 4"),
                             QStringLiteral("INVALID_ROLE")};
    if (target == caller.discordId)
        return PolicyRefusal{400, QStringLiteral("You cannot change your own role"),
                             QStringLiteral("OWN_ROLE")};
    if (caller.role >= RoleApex)
        return std::nullopt;
    if (newRole >= caller.role)
        return PolicyRefusal{403, QStringLiteral("You cannot grant a role at or above your own"),
                             QStringLiteral("ROLE_TOO_HIGH")};
    if (targetRole && *targetRole >= caller.role)
        return PolicyRefusal{403,
                             QStringLiteral("You cannot change the role of a user at or above your own role"),
                             QStringLiteral("TARGET_ROLE_TOO_HIGH")};
    return std::nullopt;
}

} // namespace nav::auth
