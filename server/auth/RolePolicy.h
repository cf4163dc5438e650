#pragma once
// Who may change whose role, as pure functions (no I/O), shared by the compatibility endpoints
// (authorize-user, disable-user) and PUT /api/admin/users/:id/role.
//
// The original's rules: only architects and up manage users; ids are numeric; nobody changes their own role;
// the first user ever authorized becomes apex. Added here: a caller below apex can neither grant a role at
// or above their own nor touch a user whose current role is at or above their own (so an architect cannot
// demote or disable another architect or the apex user), and disabling never promotes anyone.
#include "server/auth/Caller.h"

#include <QString>

#include <optional>

namespace nav::auth {

struct PolicyRefusal {
    int status;
    QString message;
    QString code;
};

class RolePolicy {
public:
    // A Discord id: 1 to 20 decimal digits without a leading zero, a positive signed 64-bit number.
    static bool isDiscordId(const QString &id);

    // May `caller` give `target` (whose current role is targetRole, nullopt if unknown) the role `newRole`?
    static std::optional<PolicyRefusal> checkChange(const Caller &caller, const QString &target,
                                                    std::optional<int> targetRole, int newRole);

    static bool isValidRole(int role) { return role >= RoleNone && role <= RoleApex; }
};

} // namespace nav::auth
