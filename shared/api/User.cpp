#include "shared/api/User.h"

#include "shared/api/JsonValues.h"

namespace nav::api {

QJsonObject User::toJson() const {
    return QJsonObject{{idKey(), id},
                       {"role", role},
                       {createdAtKey(), json::timeOrNull(createdAt)},
                       {updatedAtKey(), json::timeOrNull(updatedAt)},
                       {imageCountKey(), imageCount},
                       {"name", json::orNull(name)},
                       {"username", json::orNull(username)},
                       {"global_name", json::orNull(globalName)},
                       {"avatar", json::orNull(avatar)},
                       {"last_login_at", json::timeOrNull(lastLoginAt)}};
}

User User::fromJson(const QJsonObject &o) {
    User user;
    user.id = json::idString(o.value(idKey()));
    user.role = json::lenientInt(o.value("role"), 0);
    user.createdAt = json::lenientTime(o.value(createdAtKey()));
    user.updatedAt = json::lenientTime(o.value(updatedAtKey()));
    user.imageCount = static_cast<qint64>(o.value(imageCountKey()).toDouble());
    user.name = o.value("name").toString();
    user.username = o.value("username").toString();
    user.globalName = o.value("global_name").toString();
    user.avatar = o.value("avatar").toString();
    user.lastLoginAt = json::lenientTime(o.value("last_login_at"));
    return user;
}

} // namespace nav::api
