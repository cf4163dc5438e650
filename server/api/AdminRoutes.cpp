#include "server/api/AdminRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/Pagination.h"
#include "server/auth/RolePolicy.h"
#include "server/auth/UserAdministration.h"
#include "server/store/UserRepository.h"
#include "shared/api/User.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace nav::api {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

// The shared shape of a user (shared/api/User.h) from its row and last Discord profile.
QJsonObject userJson(const store::UserRecord &user) {
    api::User shape;
    shape.id = user.id;
    shape.role = user.role;
    shape.createdAt = user.createdAt;
    shape.updatedAt = user.updatedAt;
    shape.imageCount = user.imageCount;
    shape.name = user.displayName();
    shape.username = user.username;
    shape.globalName = user.globalName;
    shape.avatar = user.avatar;
    shape.lastLoginAt = user.lastLoginAt;
    return shape.toJson();
}

// Answers a refusal or a database failure; false when the outcome is the result.
template <typename T>
bool refused(http::Responder &res, const auth::UserAdministration::Outcome<T> &outcome) {
    if (const auto *refusal = std::get_if<auth::PolicyRefusal>(&outcome)) {
        res.error(refusal->status, refusal->message, refusal->code);
        return true;
    }
    if (const auto *failure = std::get_if<store::DbFailure>(&outcome)) {
        answerDatabaseError(res, *failure);
        return true;
    }
    return false;
}

} // namespace

void authorizeUser(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const QString id = req.param("discordId");
    s.administration->authorize(caller, id, [id, res](const auto &outcome) mutable {
        if (refused(res, outcome))
            return;
        const auto &authorized = std::get<auth::Authorized>(outcome);
        QJsonObject body{{"message", "User authorized!"}, {"discord_id", id}, {"role", authorized.role}};
        if (!authorized.discordUser.isEmpty())
            body.insert("user", authorized.discordUser);
        res.json(200, body);
    });
}

void disableUser(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const QString id = req.param("discordId");
    s.administration->disable(caller, id, [id, res](const auto &outcome) mutable {
        if (refused(res, outcome))
            return;
        res.json(200, QJsonObject{{"message", "User disabled!"}, {"discord_id", id}});
    });
}

void listUsers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const PageRequest page = parsePageRequest(req, kDefaultPageSize, kMaxPageSize);
    whenReady(s.users->list(page.offset(), page.limit), res,
              [res, page](const store::UserPage &result) mutable {
                  QJsonArray list;
                  for (const auto &user : result.users)
                      list.append(userJson(user));
                  QJsonObject body = pageFields(result.total, page);
                  body.insert("users", list);
                  res.json(200, body);
              });
}

void getUser(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString id = req.param("id");
    if (!auth::RolePolicy::isDiscordId(id))
        return res.error(400, QStringLiteral("Discord ID must be a number"),
                         QStringLiteral("INVALID_DISCORD_ID"));
    whenReady(s.users->find(id), res, [res](const std::optional<store::UserRecord> &user) mutable {
        if (!user)
            return res.error(404, QStringLiteral("User not found"), QStringLiteral("NOT_FOUND"));
        res.json(200, userJson(*user));
    });
}

void setUserRole(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const auto body = req.jsonBody();
    if (!body)
        return res.error(400, QStringLiteral("The body must be a JSON object"),
                         QStringLiteral("INVALID_JSON"));
    const QJsonValue role = body->value(QStringLiteral("role"));
    const double value = role.toDouble(-1);
    if (!role.isDouble() || value != std::floor(value) || value < auth::RoleNone || value > auth::RoleApex)
        return res.error(400, QStringLiteral("role must be an integer from 0 to 4"),
                         QStringLiteral("INVALID_ROLE"));
    s.administration->setRole(caller, req.param("id"), static_cast<int>(value),
                              [res](const auto &outcome) mutable {
                                  if (refused(res, outcome))
                                      return;
                                  res.json(200, userJson(std::get<store::UserRecord>(outcome)));
                              });
}

} // namespace nav::api
