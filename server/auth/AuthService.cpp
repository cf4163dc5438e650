#include "server/auth/AuthService.h"

#include "server/auth/ConstantTime.h"
#include "server/config/Config.h"
#include "server/http/DatabaseAnswer.h"
#include "server/store/DbError.h"

#include <QFuture>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAuth, "navigator.auth")

namespace nav::auth {

namespace {

constexpr qint64 kDemoTokenTtlMs = 3LL * 3600 * 1000;

// "Bearer <token>" (scheme case-insensitive) -> token; anything else -> empty.
QByteArray bearerToken(const QByteArray &header) {
    const QByteArray trimmed = header.trimmed();
    const int space = trimmed.indexOf(' ');
    if (space <= 0 || trimmed.left(space).toLower() != "bearer")
        return {};
    return trimmed.mid(space + 1).trimmed();
}

} // namespace

AuthService::AuthService(const config::Config &config, RoleLookup roleLookup, QObject *parent)
    : QObject(parent), m_codec(config.secretKey.toUtf8()), m_roleLookup(std::move(roleLookup)),
      m_roles(m_roleLookup, config.authRoleCacheMs), m_superuserToken(config.superuserAdminToken.toUtf8()),
      m_tokenTtlMs(config.tokenExpirationMs), m_demoEnabled(config.enableDemoUser) {}

QString AuthService::sign(const QString &discordId, int role, qint64 ttlMs) const {
    return m_codec.sign(discordId, role, ttlMs);
}

QString AuthService::signLogin(const QString &discordId, int role) const {
    return m_codec.sign(discordId, role, discordId == kDemoUserId ? kDemoTokenTtlMs : m_tokenTtlMs);
}

QFuture<std::optional<int>> AuthService::roleOf(const QString &discordId) const {
    if (discordId == kDemoUserId)
        return QtFuture::makeReadyFuture(std::optional<int>(m_demoEnabled ? RoleArtificer : RoleNone));
    return m_roleLookup(discordId);
}

void AuthService::forgetRole(const QString &discordId) {
    m_roles.invalidate(discordId);
}

void AuthService::require(const http::Request &req, http::Responder res, int minRole,
                          std::function<void(const Caller &)> next) {
    authenticate(req.header("authorization"), true, minRole,
                 [res, next = std::move(next)](const std::optional<Caller> &caller,
                                               const std::optional<Failure> &failure) mutable {
                     if (failure)
                         answer(res, *failure);
                     else
                         next(*caller);
                 });
}

void AuthService::identify(const http::Request &req, std::function<void(std::optional<Caller>)> done) {
    authenticate(req.header("authorization"), true, RoleApprentice,
                 [done = std::move(done)](const std::optional<Caller> &caller,
                                          const std::optional<Failure> &) { done(caller); });
}

void AuthService::verifyToken(const QString &jwt, std::function<void(std::optional<Caller>)> done) {
    authenticate(jwt.toUtf8(), false, RoleApprentice,
                 [done = std::move(done)](const std::optional<Caller> &caller,
                                          const std::optional<Failure> &) { done(caller); });
}

void AuthService::authenticate(const QByteArray &credentials, bool headerForm, int minRole, Outcome done) {
    auto fail = [&done](int status, const QString &message, const QString &code) {
        done(std::nullopt, Failure{status, message, code});
    };
    if (credentials.isEmpty())
        return fail(401, QStringLiteral("Authorization required"), QStringLiteral("AUTH_REQUIRED"));

    const QByteArray token = headerForm ? bearerToken(credentials) : credentials;
    if (!m_superuserToken.isEmpty() && (constantTimeEquals(credentials, m_superuserToken) ||
                                        (!token.isEmpty() && constantTimeEquals(token, m_superuserToken)))) {
        done(Caller{kSuperuserId, RoleApex, true, {}, {}}, std::nullopt);
        return;
    }
    if (token.isEmpty())
        return fail(401, QStringLiteral("Malformed token"), QStringLiteral("TOKEN_INVALID"));

    const auto verified = m_codec.verify(token);
    if (const auto *error = std::get_if<TokenError>(&verified)) {
        return fail(401, JwtCodec::describe(*error),
                    *error == TokenError::Expired ? QStringLiteral("TOKEN_EXPIRED")
                                                  : QStringLiteral("TOKEN_INVALID"));
    }
    const TokenClaims claims = std::get<TokenClaims>(verified);
    const QString discordId = claims.discordId;
    if (discordId == kDemoUserId && !m_demoEnabled)
        return fail(401, QStringLiteral("Demo user was disabled"), QStringLiteral("DEMO_USER_DISABLED"));

    auto decide = [claims, minRole, done](const RoleCache::Answer &answer) {
        if (answer.error)
            return done(std::nullopt, lookupFailure(claims.discordId, answer.error));
        const std::optional<int> role = answer.role;
        if (!role) {
            done(std::nullopt, Failure{403, QStringLiteral("This user does not have API access"),
                                       QStringLiteral("USER_NOT_AUTHORIZED")});
        } else if (*role <= RoleNone) {
            done(std::nullopt,
                 Failure{403, QStringLiteral("User is disabled"), QStringLiteral("USER_DISABLED")});
        } else if (*role < minRole) {
            done(std::nullopt, Failure{403, QStringLiteral("Your role does not allow this"),
                                       QStringLiteral("INSUFFICIENT_ROLE")});
        } else {
            done(Caller{claims.discordId, *role, false, claims.issuedAt, claims.expiresAt}, std::nullopt);
        }
    };
    if (discordId == kDemoUserId) // enabled (checked above), with a fixed role
        return decide(RoleCache::Answer{RoleArtificer, {}});
    m_roles.fetch(discordId, std::move(decide));
}

AuthService::Failure AuthService::lookupFailure(const QString &discordId, const std::exception_ptr &error) {
    bool unavailable = false;
    QString why = QStringLiteral("cannot read the role of %1 from the database").arg(discordId);
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        const store::DbFailure failure = store::DbFailure::from(e);
        unavailable = failure.unavailable;
        why += QStringLiteral(": ") + failure.detail;
    } catch (...) {
    }
    qCWarning(lcAuth).noquote() << why;
    const http::DatabaseAnswer answer = http::databaseAnswer(unavailable);
    return Failure{answer.status, answer.message, answer.code, answer.retryAfter};
}

void AuthService::answer(http::Responder &res, const Failure &failure) {
    // "message" keeps the original's field for clients that show it.
    const QJsonObject body{{"error", failure.message},
                           {"error_code", failure.code},
                           {"message", failure.status == 401   ? QStringLiteral("Unauthorized")
                                       : failure.status == 403 ? QStringLiteral("Forbidden")
                                       : failure.status == 503 ? QStringLiteral("Service Unavailable")
                                                               : QStringLiteral("Internal Server Error")}};
    if (!failure.retryAfter.isEmpty()) // the database is down: tell clients when to come back
        res.send(failure.status, QJsonDocument(body).toJson(QJsonDocument::Compact),
                 "application/json; charset=utf-8", {{"Retry-After", failure.retryAfter}});
    else
        res.json(failure.status, body);
}

} // namespace nav::auth
