#include "server/api/AdminQueueRoutes.h"

#include "server/api/AdminStatusService.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace nav::api {

namespace {

QJsonArray render(const QList<AdminQueueJob> &jobs) {
    QJsonArray array;
    for (const AdminQueueJob &job : jobs)
        array.append(job.toJson());
    return array;
}

// Fills ownerName of every job from `names` (when given), then calls `done`; a failed lookup leaves the
// names empty rather than failing the answer.
void withOwnerNames(AdminQueueSnapshot snapshot, const OwnerNameLookup &names,
                    std::function<void(const AdminQueueSnapshot &)> done) {
    if (!names)
        return done(snapshot);
    QStringList ids;
    for (const auto *list : {&snapshot.active, &snapshot.recent})
        for (const AdminQueueJob &job : *list)
            ids << job.ownerId;
    ids.removeDuplicates();
    QObject *context = QCoreApplication::instance();
    names(ids)
        .then(context,
              [snapshot, done](const QHash<QString, QString> &found) mutable {
                  for (auto *list : {&snapshot.active, &snapshot.recent})
                      for (AdminQueueJob &job : *list)
                          job.ownerName = found.value(job.ownerId);
                  done(snapshot);
              })
        .onFailed(context, [snapshot, done] { done(snapshot); });
}

} // namespace

void getAdminStatus(Services &s, const http::Request &, http::Responder res, const auth::Caller &caller) {
    s.adminStatus->status([res, caller](const api::Status &status) mutable {
        api::Status answer = status;
        answer.caller = api::Status::Caller{caller.discordId, caller.role, caller.superuser};
        res.json(200, answer.toJson());
    });
}

void getAdminQueue(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    int recent = 0;
    if (const auto value = req.queryValue(QStringLiteral("include_recent"))) {
        bool ok = false;
        recent = value->toInt(&ok);
        if (!ok || recent < 0 || recent > kMaxRecent)
            return res.error(
                400, QStringLiteral("include_recent must be a whole number from 0 to %1").arg(kMaxRecent),
                QStringLiteral("INVALID_INCLUDE_RECENT"));
    }
    if (!s.adminQueue)
        return res.error(503, QStringLiteral("The job queue is not running"),
                         QStringLiteral("QUEUE_UNAVAILABLE"));
    s.adminQueue->adminSnapshot(recent, [res, recent, names = s.ownerNames](const AdminQueueSnapshot &taken,
                                                                            const QString &error) mutable {
        if (!error.isEmpty())
            return res.error(500, error, QStringLiteral("QUEUE_SNAPSHOT_FAILED"));
        withOwnerNames(taken, names, [res, recent](const AdminQueueSnapshot &snapshot) mutable {
            int running = 0;
            for (const AdminQueueJob &job : snapshot.active)
                running += job.status == QLatin1String("running") ? 1 : 0;
            res.json(200, QJsonObject{{QStringLiteral("jobs"), render(snapshot.active)},
                                      {QStringLiteral("recent"), render(snapshot.recent.mid(0, recent))},
                                      {QStringLiteral("queue_depth"), snapshot.active.size()},
                                      {QStringLiteral("running"), running}});
        });
    });
}

} // namespace nav::api
