#pragma once
// Who is making a request, as established by the auth guard. The role is the one read from the database for
// this request (not the one written in the token), so a role change or a disable takes effect at once.
#include <QString>

#include <optional>

namespace nav::auth {

// The original Navigator's permission roles; the numbers are stored in users.role.
enum Role {
    RoleNone = 0,       // unknown or disabled
    RoleApprentice = 1, // may generate images
    RoleArtificer = 2,  // may also download models
    RoleArchitect = 3,  // administrator
    RoleApex = 4,       // superuser
};

struct Caller {
    QString discordId;
    int role = RoleNone;
    bool superuser = false;         // authenticated with SUPERUSER_ADMIN_TOKEN rather than a JWT
    std::optional<qint64> issuedAt; // iat and exp of the JWT, seconds since the epoch
    std::optional<qint64> expiresAt;
};

// The discord_id used by the demo login and by the superuser token.
inline const QString kDemoUserId = QStringLiteral("demo_user");
inline const QString kSuperuserId = QStringLiteral("superuser");

} // namespace nav::auth
