#pragma once
// POST /api/auth/login: trades a Discord OAuth2 code for a Navigator token. The Discord user must be known
// with a role of at least apprentice (or own images already, which makes them an apprentice, as in the
// original). The code "DEMO_USER" logs in the demo user when ENABLE_DEMO_USER is set.
#include "server/auth/AccessRequestService.h"
#include "server/auth/AuthService.h"
#include "server/auth/DiscordClient.h"
#include "server/store/DbError.h"

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>
#include <variant>

namespace nav::auth {

struct LoginSuccess {
    QString token;
    QJsonObject user; // the Discord user object as Discord sent it
    int role = RoleNone;
};

struct LoginFailure {
    int status;      // 401 Discord refused, 403 not allowed, 502 Discord unreachable
    QString message; // human-readable
    QString code;    // error_code
};

class LoginService final : public QObject {
    Q_OBJECT
public:
    // A database failure is answered like every other one (api::answerDatabaseError).
    using Outcome = std::variant<LoginSuccess, LoginFailure, store::DbFailure>;
    using Callback = std::function<void(const Outcome &)>;

    // With `access`, every Discord login's profile is stored and refused ones become access requests.
    LoginService(AuthService &auth, DiscordClient &discord, AccessRequestService *access = nullptr,
                 QObject *parent = nullptr);

    // `code` is non-empty (the route answers 400 otherwise).
    void login(const QString &code, Callback done);

    static inline const QString kDemoCode = QStringLiteral("DEMO_USER");

private:
    void loginDemo(const Callback &done);
    void fetchUser(const QString &accessToken, Callback done);
    void checkRole(const QJsonObject &user, Callback done);

    // Records the login with AccessRequestService (when there is one), then answers.
    void record(const QJsonObject &user, std::optional<bool> refusedDisabled, std::function<void()> then);

    AuthService &m_auth;
    DiscordClient &m_discord;
    AccessRequestService *m_access;
};

} // namespace nav::auth
