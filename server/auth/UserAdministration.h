#pragma once
// Changing users' roles for the admin API: the compatibility endpoints authorize-user and disable-user, and
// PUT /api/admin/users/:id/role. RolePolicy decides what is allowed; with BOT_TOKEN set, ids given to
// authorize-user are first checked against Discord.
#include "server/auth/Caller.h"
#include "server/auth/DiscordClient.h"
#include "server/auth/RolePolicy.h"
#include "server/store/DbError.h"
#include "server/store/UserRepository.h"

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <variant>

namespace nav::auth {

struct Authorized {
    int role = RoleApprentice; // apex when this was the first user
    QJsonObject discordUser;   // the Discord user when BOT_TOKEN validated the id, else empty
};

class UserAdministration final : public QObject {
    Q_OBJECT
public:
    // The result, a refusal, or a database failure (answered like every other one: api::answerDatabaseError).
    template <typename T> using Outcome = std::variant<T, PolicyRefusal, store::DbFailure>;
    template <typename T> using Callback = std::function<void(const Outcome<T> &)>;

    UserAdministration(store::UserRepository &users, DiscordClient &discord, QObject *parent = nullptr);

    // Gives `id` the apprentice role (apex for the very first user).
    void authorize(const Caller &caller, const QString &id, Callback<Authorized> done);
    // Sets `id` to role 0; the user's next request is refused.
    void disable(const Caller &caller, const QString &id, Callback<int> done);
    // Sets the role of an existing user and returns the updated record.
    void setRole(const Caller &caller, const QString &id, int role, Callback<store::UserRecord> done);
    // Gives `id` (a Discord id that asked for access) `role` 1 or 2 under authorize-user's rules (apex for
    // the very first user); no Discord lookup, the id came from a Discord login. Returns the role stored.
    void grant(const Caller &caller, const QString &id, int role, Callback<int> done);

signals:
    // After every attempt to store a role, before anyone hears of the outcome, also after a failure (the
    // write may have committed): caches of `id`'s role are stale. Every role this service writes (authorize,
    // disable, set-role, access-request approval) goes through here.
    void roleWritten(const QString &id);
    // After a role was stored (0: disabled), so that open sockets follow it.
    void roleChanged(const QString &id, int role);
    // The same, with who made the change: access requests close on it.
    void roleDecided(const QString &callerId, const QString &id, int role);

private:
    // Loads the target's current role, applies RolePolicy, then runs `next` (or answers the refusal).
    template <typename T>
    void checked(const Caller &caller, const QString &id, int newRole, bool mustExist, Callback<T> done,
                 std::function<void()> next);
    void saveRole(const QString &id, int role, bool firstBecomesApex, std::function<void(int stored)> saved,
                  std::function<void(const store::DbFailure &)> failed);

    store::UserRepository &m_users;
    DiscordClient &m_discord;
};

} // namespace nav::auth
