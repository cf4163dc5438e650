#include "shared/api/Status.h"

#include "shared/api/JsonValues.h"

#include <QJsonArray>

namespace nav::api {

namespace {

template <typename T> QJsonValue figureOrNull(const std::optional<T> &figure) {
    return figure ? QJsonValue(*figure) : QJsonValue(QJsonValue::Null);
}

std::optional<int> figure(const QJsonValue &value) {
    return value.isDouble() ? std::optional<int>(value.toInt()) : std::nullopt;
}

// Times here are always written as strings (empty when unknown), never null.
QString timeText(const QDateTime &time) {
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QJsonObject backendJson(const Status::Backend &b) {
    QJsonObject o{{"url", b.url},
                  {"reachable", b.reachable},
                  {"checkpoint", json::orNull(b.checkpoint)},
                  {"error", json::orNull(b.error)},
                  {"checked_at", timeText(b.checkedAt)},
                  {"firstpass_patch", b.firstpassPatch ? QJsonValue(*b.firstpassPatch) : QJsonValue()}};
    if (!b.state.isEmpty())
        o.insert("state", b.state);
    return o;
}

Status::Backend backendFrom(const QJsonObject &o) {
    Status::Backend b;
    b.url = o.value("url").toString();
    b.reachable = o.value("reachable").toBool();
    b.checkpoint = o.value("checkpoint").toString();
    b.error = o.value("error").toString();
    b.checkedAt = json::lenientTime(o.value("checked_at"));
    if (const QJsonValue patch = o.value("firstpass_patch"); patch.isString())
        b.firstpassPatch = patch.toString();
    b.state = o.value("state").toString();
    return b;
}

} // namespace

QJsonObject Status::toJson() const {
    QJsonArray backendList;
    for (const Backend &backend : backends)
        backendList.append(backendJson(backend));
    QJsonValue databaseValue = QJsonValue::Null;
    if (database)
        databaseValue = QJsonObject{{"driver", database->driver},
                                    {"version", json::orNull(database->version)},
                                    {"uptime_seconds", figureOrNull(database->uptimeSeconds)}};
    QJsonObject o{{"version", version},
                  {"started_at", timeText(startedAt)},
                  {"uptime_seconds", uptimeSeconds},
                  {"queue_depth", figureOrNull(queueDepth)},
                  {"queued_jobs", figureOrNull(queuedJobs)},
                  {"running_jobs", figureOrNull(runningJobs)},
                  {"connected_clients", figureOrNull(connectedClients)},
                  {"backends", backendList},
                  {"database", databaseValue}};
    if (caller)
        o.insert("caller", QJsonObject{{"discord_id", caller->discordId},
                                       {"role", caller->role},
                                       {"superuser", caller->superuser}});
    return o;
}

Status Status::fromJson(const QJsonObject &o) {
    Status status;
    status.version = o.value("version").toString();
    status.startedAt = json::lenientTime(o.value("started_at"));
    status.uptimeSeconds = static_cast<qint64>(o.value("uptime_seconds").toDouble(-1));
    status.queueDepth = figure(o.value("queue_depth"));
    status.queuedJobs = figure(o.value("queued_jobs"));
    status.runningJobs = figure(o.value("running_jobs"));
    status.connectedClients = figure(o.value("connected_clients"));
    for (const QJsonValue &backend : o.value("backends").toArray())
        status.backends.append(backendFrom(backend.toObject()));
    if (const QJsonValue db = o.value("database"); db.isObject()) {
        const QJsonObject d = db.toObject();
        Database database{d.value("driver").toString(), d.value("version").toString(), std::nullopt};
        if (const QJsonValue uptime = d.value("uptime_seconds"); uptime.isDouble())
            database.uptimeSeconds = static_cast<qint64>(uptime.toDouble());
        status.database = database;
    }
    if (const QJsonValue who = o.value("caller"); who.isObject()) {
        const QJsonObject c = who.toObject();
        status.caller = Caller{c.value("discord_id").toString(), c.value("role").toInt(0),
                               c.value("superuser").toBool(false)};
    }
    return status;
}

} // namespace nav::api
