#include "server/auth/UserAdministration.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdmin, "navigator.auth.admin")

namespace nav::auth {

UserAdministration::UserAdministration(store::UserRepository &users, DiscordClient &discord, QObject *parent)
    : QObject(parent), m_users(users), m_discord(discord) {}

template <typename T>
void UserAdministration::checked(const Caller &caller, const QString &id, int newRole, bool mustExist,
                                 Callback<T> done, std::function<void()> next) {
    // Ids and self-changes are refused before anything is looked up.
    if (auto refusal = RolePolicy::checkChange(caller, id, std::nullopt, newRole))
        return done(*refusal);
    m_users.find(id)
        .then(this,
              [caller, id, newRole, mustExist, done, next](const std::optional<store::UserRecord> &user) {
                  if (!user && mustExist)
                      return done(
                          PolicyRefusal{404, QStringLiteral("User not found"), QStringLiteral("NOT_FOUND")});
                  const auto current = user ? std::optional<int>(user->role) : std::nullopt;
                  if (auto refusal = RolePolicy::checkChange(caller, id, current, newRole))
                      return done(*refusal);
                  next();
              })
        .onFailed(this, [done](const std::exception &e) { done(store::DbFailure::from(e)); });
}

void UserAdministration::saveRole(const QString &id, int role, bool firstBecomesApex,
                                  std::function<void(int)> saved,
                                  std::function<void(const store::DbFailure &)> failed) {
    m_users.setRole(id, role, firstBecomesApex)
        .then(this,
              [this, id, saved](int stored) {
                  emit roleWritten(id);
                  emit roleChanged(id, stored);
                  saved(stored);
              })
        .onFailed(this, [this, id, failed](const std::exception &e) {
            emit roleWritten(id);
            failed(store::DbFailure::from(e));
        });
}

void UserAdministration::authorize(const Caller &caller, const QString &id, Callback<Authorized> done) {
    checked<Authorized>(caller, id, RoleApprentice, false, done, [this, caller, id, done] {
        auto grant = [this, caller, id, done](const QJsonObject &discordUser) {
            saveRole(
                id, RoleApprentice, true,
                [this, caller, id, done, discordUser](int stored) {
                    qCInfo(lcAdmin).noquote()
                        << caller.discordId << "authorized" << id << "with role" << stored;
                    emit roleDecided(caller.discordId, id, stored);
                    done(Authorized{stored, discordUser});
                },
                [done](const store::DbFailure &failure) { done(failure); });
        };
        if (!m_discord.hasBotToken())
            return grant({});
        m_discord.userById(id, [done, id, grant](const DiscordReply &reply) {
            if (reply.ok)
                return grant(reply.body);
            qCWarning(lcAdmin).noquote() << "Discord ID" << id << "could not be validated:" << reply.error;
            if (reply.httpStatus == 0 || reply.httpStatus >= 500)
                return done(PolicyRefusal{502,
                                          QStringLiteral("Discord could not be reached to validate the ID"),
                                          QStringLiteral("DISCORD_UNAVAILABLE")});
            done(PolicyRefusal{400, QStringLiteral("Failed to validate Discord ID!"),
                               QStringLiteral("UNKNOWN_DISCORD_USER")});
        });
    });
}

void UserAdministration::disable(const Caller &caller, const QString &id, Callback<int> done) {
    checked<int>(caller, id, RoleNone, false, done, [this, caller, id, done] {
        saveRole(
            id, RoleNone, false,
            [this, caller, id, done](int stored) {
                qCInfo(lcAdmin).noquote() << caller.discordId << "disabled" << id;
                emit roleDecided(caller.discordId, id, stored);
                done(stored);
            },
            [done](const store::DbFailure &failure) { done(failure); });
    });
}

void UserAdministration::setRole(const Caller &caller, const QString &id, int role,
                                 Callback<store::UserRecord> done) {
    checked<store::UserRecord>(caller, id, role, true, done, [this, caller, id, role, done] {
        saveRole(
            id, role, false,
            [this, caller, id, done](int stored) {
                qCInfo(lcAdmin).noquote() << caller.discordId << "set the role of" << id << "to" << stored;
                emit roleDecided(caller.discordId, id, stored);
                m_users.find(id)
                    .then(this,
                          [done](const std::optional<store::UserRecord> &user) {
                              if (!user)
                                  return done(PolicyRefusal{404, QStringLiteral("User not found"),
                                                            QStringLiteral("NOT_FOUND")});
                              done(*user);
                          })
                    .onFailed(this, [done](const std::exception &e) { done(store::DbFailure::from(e)); });
            },
            [done](const store::DbFailure &failure) { done(failure); });
    });
}

void UserAdministration::grant(const Caller &caller, const QString &id, int role, Callback<int> done) {
    checked<int>(caller, id, role, false, done, [this, caller, id, role, done] {
        saveRole(
            id, role, true,
            [this, caller, id, done](int stored) {
                qCInfo(lcAdmin).noquote() << caller.discordId << "approved" << id << "with role" << stored;
                emit roleDecided(caller.discordId, id, stored);
                done(stored);
            },
            [done](const store::DbFailure &failure) { done(failure); });
    });
}

} // namespace nav::auth
