#include "server/auth/LoginService.h"

#include <QFuture>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLogin, "navigator.auth.login")

namespace nav::auth {

namespace {

// A Discord failure that is Discord's own problem (unreachable, 5xx) is not the user's fault.
LoginFailure discordFailure(const DiscordReply &reply) {
    if (reply.httpStatus == 0 || reply.httpStatus >= 500)
        return {502, QStringLiteral("Discord could not be reached"), QStringLiteral("DISCORD_UNAVAILABLE")};
    return {401, QStringLiteral("Authentication through Discord failed"),
            QStringLiteral("DISCORD_AUTH_FAILED")};
}

bool isSnowflake(const QString &id) {
    if (id.isEmpty() || id.size() > 20)
        return false;
    for (const QChar c : id) {
        if (!c.isDigit())
            return false;
    }
    return true;
}

} // namespace

LoginService::LoginService(AuthService &auth, DiscordClient &discord, AccessRequestService *access,
                           QObject *parent)
    : QObject(parent), m_auth(auth), m_discord(discord), m_access(access) {}

void LoginService::record(const QJsonObject &user, std::optional<bool> refusedDisabled,
                          std::function<void()> then) {
    if (!m_access)
        return then();
    if (refusedDisabled)
        m_access->loginRefused(user, *refusedDisabled, std::move(then));
    else
        m_access->loginSucceeded(user, std::move(then));
}

void LoginService::login(const QString &code, Callback done) {
    if (code == kDemoCode)
        return loginDemo(done);
    m_discord.exchangeCode(code, [this, done = std::move(done)](const DiscordReply &reply) {
        const QString accessToken = reply.body.value(QStringLiteral("access_token")).toString();
        if (!reply.ok || accessToken.isEmpty()) {
            LoginFailure failure = discordFailure(reply);
            if (reply.ok) // 200 without a token
                failure = {502, QStringLiteral("Discord sent no access token"),
                           QStringLiteral("DISCORD_UNAVAILABLE")};
            return done(failure);
        }
        fetchUser(accessToken, done);
    });
}

void LoginService::loginDemo(const Callback &done) {
    if (!m_auth.demoUserEnabled()) {
        qCWarning(lcLogin) << "a demo login was attempted but ENABLE_DEMO_USER is off";
        return done(LoginFailure{403, QStringLiteral("Demo user is not enabled"),
                                 QStringLiteral("DEMO_USER_DISABLED")});
    }
    // The same stand-in Discord user as the original, so clients render it alike.
    const QJsonObject user{{"id", kDemoUserId},       {"username", "DemoUser"}, {"global_name", "Demo User"},
                           {"discriminator", "0000"}, {"avatar", QJsonValue()}, {"bot", false},
                           {"system", false},         {"mfa_enabled", false},   {"locale", "en-US"},
                           {"verified", true}};
    done(LoginSuccess{m_auth.signLogin(kDemoUserId, RoleArtificer), user, RoleArtificer});
}

void LoginService::fetchUser(const QString &accessToken, Callback done) {
    m_discord.currentUser(accessToken, [this, done = std::move(done)](const DiscordReply &reply) {
        if (!reply.ok)
            return done(discordFailure(reply));
        if (!isSnowflake(reply.body.value(QStringLiteral("id")).toString()))
            return done(LoginFailure{502, QStringLiteral("Discord sent a user without a valid id"),
                                     QStringLiteral("DISCORD_UNAVAILABLE")});
        checkRole(reply.body, done);
    });
}

void LoginService::checkRole(const QJsonObject &user, Callback done) {
    const QString id = user.value(QStringLiteral("id")).toString();
    m_auth.roleOf(id)
        .then(this,
              [this, user, id, done](const std::optional<int> &role) {
                  if (!role) {
                      qCInfo(lcLogin).noquote() << "refused login of unknown Discord user" << id;
                      return record(user, false, [done] {
                          done(LoginFailure{403,
                                            QStringLiteral("This user does not have API access yet. Please "
                                                           "contact an Administrator to get access."),
                                            QStringLiteral("USER_NOT_AUTHORIZED")});
                      });
                  }
                  if (*role < RoleApprentice) {
                      qCInfo(lcLogin).noquote() << "refused login of disabled user" << id;
                      return record(user, true, [done] {
                          done(LoginFailure{403, QStringLiteral("This user is disabled"),
                                            QStringLiteral("USER_DISABLED")});
                      });
                  }
                  qCInfo(lcLogin).noquote() << "user" << id << "logged in with role" << *role;
                  const int granted = *role;
                  record(user, std::nullopt, [this, done, user, id, granted] {
                      done(LoginSuccess{m_auth.signLogin(id, granted), user, granted});
                  });
              })
        .onFailed(this, [id, done](const std::exception &e) {
            qCWarning(lcLogin).noquote() << "cannot read the role of" << id << "from the database";
            done(store::DbFailure::from(e));
        });
}

} // namespace nav::auth
