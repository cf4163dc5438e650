#include "server/api/AccessRequestRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/Pagination.h"
#include "server/auth/AccessRequestService.h"
#include "server/auth/RolePolicy.h"
#include "server/store/DiscordProfileRepository.h"

#include <QJsonArray>

namespace nav::api {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

template <typename Outcome> void answer(http::Responder res, const Outcome &outcome) {
    if (const auto *refusal = std::get_if<auth::PolicyRefusal>(&outcome))
        return res.error(refusal->status, refusal->message, refusal->code);
    if (const auto *failure = std::get_if<store::DbFailure>(&outcome))
        return answerDatabaseError(res, *failure);
    res.json(200, auth::AccessRequestService::toJson(std::get<store::AccessRequest>(outcome)));
}

bool checkId(http::Responder &res, const QString &id) {
    if (auth::RolePolicy::isDiscordId(id))
        return true;
    res.error(400, QStringLiteral("discordId must be a Discord ID (a number)"),
              QStringLiteral("INVALID_DISCORD_ID"));
    return false;
}

} // namespace

void listAccessRequests(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    QString status = req.queryValue(QStringLiteral("status")).value_or(QStringLiteral("pending"));
    static const QStringList kStatuses{"pending", "denied", "approved", "all"};
    if (!kStatuses.contains(status))
        return res.error(400, QStringLiteral("status must be pending, denied, approved or all"),
                         QStringLiteral("INVALID_STATUS"));
    if (status == QLatin1String("all"))
        status.clear();
    const PageRequest page = parsePageRequest(req, kDefaultPageSize, kMaxPageSize);
    whenReady(s.profiles->listRequests(status, page.offset(), page.limit), res,
              [res, page](const store::AccessRequestPage &result) mutable {
                  QJsonArray list;
                  for (const auto &request : result.requests)
                      list.append(auth::AccessRequestService::toJson(request));
                  QJsonObject body = pageFields(result.total, page);
                  body.insert(QStringLiteral("requests"), list);
                  res.json(200, body);
              });
}

void approveAccessRequest(Services &s, const http::Request &req, http::Responder res,
                          const auth::Caller &caller) {
    const QString id = req.param(QStringLiteral("discordId"));
    if (!checkId(res, id))
        return;
    const auto body = req.jsonBody();
    if (!body)
        return res.error(400, QStringLiteral("The body must be a JSON object"),
                         QStringLiteral("INVALID_JSON"));
    const QJsonValue role = body->value(QStringLiteral("role"));
    const double value = role.toDouble(-1);
    if (!role.isDouble() || (value != auth::RoleApprentice && value != auth::RoleArtificer))
        return res.error(400, QStringLiteral("role must be 1 (apprentice) or 2 (artificer)"),
                         QStringLiteral("INVALID_ROLE"));
    s.access->approve(caller, id, static_cast<int>(value),
                      [res](const auto &outcome) { answer(res, outcome); });
}

void denyAccessRequest(Services &s, const http::Request &req, http::Responder res,
                       const auth::Caller &caller) {
    const QString id = req.param(QStringLiteral("discordId"));
    if (!checkId(res, id))
        return;
    s.access->deny(caller, id, [res](const auto &outcome) { answer(res, outcome); });
}

} // namespace nav::api
