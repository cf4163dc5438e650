#include "shared/api/AccessRequest.h"

#include "shared/api/JsonValues.h"

namespace nav::api {

QJsonObject AccessRequest::toJson() const {
    return QJsonObject{{"discord_id", discordId},
                       {"name", json::orNull(name)},
                       {"username", json::orNull(username)},
                       {"global_name", json::orNull(globalName)},
                       {"avatar", json::orNull(avatar)},
                       {"status", status},
                       {"attempts", attempts},
                       {"first_attempt_at", json::timeOrNull(firstAttemptAt)},
                       {"last_attempt_at", json::timeOrNull(lastAttemptAt)},
                       {"decided_at", json::timeOrNull(decidedAt)},
                       {"decided_by", json::orNull(decidedBy)}};
}

AccessRequest AccessRequest::fromJson(const QJsonObject &o) {
    AccessRequest r;
    r.discordId = json::idString(o.value("discord_id"));
    r.name = o.value("name").toString();
    r.username = o.value("username").toString();
    r.globalName = o.value("global_name").toString();
    r.avatar = o.value("avatar").toString();
    r.status = o.value("status").toString();
    r.attempts = json::lenientInt(o.value("attempts"), 0);
    r.firstAttemptAt = json::lenientTime(o.value("first_attempt_at"));
    r.lastAttemptAt = json::lenientTime(o.value("last_attempt_at"));
    r.decidedAt = json::lenientTime(o.value("decided_at"));
    r.decidedBy = o.value("decided_by").toString();
    return r;
}

} // namespace nav::api
