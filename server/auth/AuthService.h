#pragma once
// The auth guard: who is calling and may they do this. The caller's role comes from the users table through
// a short-lived cache (RoleCache, AUTH_ROLE_CACHE_MS): a disable or a role change made through Navigator
// (forgetRole) takes effect on the caller's very next request; one made behind its back (SQL, another
// process on a shared database) within AUTH_ROLE_CACHE_MS. Within that time a caller whose role is cached
// also passes the guard while the database is unreachable (the route's own database work then answers 503).
//
// Accepted credentials: "Authorization: Bearer <jwt>" (HS256, SECRET_KEY), or the raw SUPERUSER_ADMIN_TOKEN
// (also accepted after "Bearer "), which acts as the apex user. Answers, all JSON {error, error_code,
// message}:
//   401 AUTH_REQUIRED / TOKEN_INVALID / TOKEN_EXPIRED / DEMO_USER_DISABLED  (the client should log out)
//   403 USER_DISABLED (role 0) / USER_NOT_AUTHORIZED (unknown id) / INSUFFICIENT_ROLE (role below minRole)
//   503 DATABASE_UNAVAILABLE + Retry-After / 500 DATABASE_ERROR when the role cannot be read
//   (http::databaseAnswer, as every route answers a database failure)
#include "server/auth/Caller.h"
#include "server/auth/JwtCodec.h"
#include "server/auth/RoleCache.h"
#include "server/http/Request.h"
#include "server/http/Responder.h"

#include <QFuture>
#include <QObject>

#include <functional>
#include <optional>

namespace nav::config {
struct Config;
}

namespace nav::auth {

class AuthService final : public QObject {
    Q_OBJECT
public:
    AuthService(const config::Config &config, RoleLookup roleLookup, QObject *parent = nullptr);

    // Runs `next` with the caller when the request carries valid credentials of a user whose role is at
    // least minRole; otherwise answers 401/403/500 itself and `next` never runs.
    void require(const http::Request &req, http::Responder res, int minRole,
                 std::function<void(const Caller &)> next);

    // The caller when the request carries valid credentials of an enabled user, else nullopt; never answers.
    // For endpoints that serve everyone but do more for some roles.
    void identify(const http::Request &req, std::function<void(std::optional<Caller>)> done);

    // For the realtime server: the caller behind a bare JWT (or the superuser token), or nullopt when the
    // token is invalid or the user is unknown or disabled.
    void verifyToken(const QString &jwt, std::function<void(std::optional<Caller>)> done);

    // A token in the original's format. ttlMs < 0: never expires.
    QString sign(const QString &discordId, int role, qint64 ttlMs) const;
    // Signs with TOKEN_EXPIRATION_TIME.
    QString signLogin(const QString &discordId, int role) const;

    // The role of a Discord id (demo user, else read from the database now, not from the cache), for login.
    QFuture<std::optional<int>> roleOf(const QString &discordId) const;
    bool demoUserEnabled() const { return m_demoEnabled; }

public slots:
    // The role of `discordId` was written (or a write failed midway): the guard reads it again next time.
    void forgetRole(const QString &discordId);

private:
    struct Failure {
        int status;
        QString message;
        QString code;
        QByteArray retryAfter = {}; // seconds; empty: no Retry-After header
    };
    using Outcome = std::function<void(const std::optional<Caller> &, const std::optional<Failure> &)>;
    void authenticate(const QByteArray &credentials, bool headerForm, int minRole, Outcome done);
    static void answer(http::Responder &res, const Failure &failure);
    // The 503/500 for a role lookup that failed with `error`, logged.
    static Failure lookupFailure(const QString &discordId, const std::exception_ptr &error);

    JwtCodec m_codec;
    RoleLookup m_roleLookup;
    RoleCache m_roles;
    QByteArray m_superuserToken;
    qint64 m_tokenTtlMs;
    bool m_demoEnabled;
};

} // namespace nav::auth
