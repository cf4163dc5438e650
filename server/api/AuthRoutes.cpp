#include "server/api/AuthRoutes.h"

#include "server/api/DbReply.h"
#include "server/auth/LoginService.h"

#include <QJsonObject>

namespace nav::api {

void login(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const auto body = req.jsonBody();
    if (!body)
        return res.error(400, QStringLiteral("The body must be a JSON object"),
                         QStringLiteral("INVALID_JSON"));
    const QString code = body->value(QStringLiteral("code")).toString();
    if (code.isEmpty()) {
        // "message" is the field the original used for this answer.
        return res.json(400, QJsonObject{{"message", "Code is required"},
                                         {"error", "Code is required"},
                                         {"error_code", "CODE_REQUIRED"}});
    }
    s.login->login(code, [res](const auth::LoginService::Outcome &outcome) mutable {
        if (const auto *failure = std::get_if<auth::LoginFailure>(&outcome))
            return res.error(failure->status, failure->message, failure->code);
        if (const auto *failure = std::get_if<store::DbFailure>(&outcome))
            return answerDatabaseError(res, *failure);
        const auto &success = std::get<auth::LoginSuccess>(outcome);
        res.json(200, QJsonObject{{"token", success.token}, {"user", success.user}, {"role", success.role}});
    });
}

} // namespace nav::api
