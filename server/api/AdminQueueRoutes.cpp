#include "server/api/AdminQueueRoutes.h"

#include "server/api/AdminStatusService.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace nav::api {

namespace {

QJsonObject callerJson(const auth::Caller &caller) {
    return QJsonObject{{QStringLiteral("discord_id"), caller.discordId},
                       {QStringLiteral("role"), caller.role},
                       {QStringLiteral("superuser"), caller.superuser}};
}

QJsonValue isoTime(const QDateTime &time) {
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs))
                          : QJsonValue(QJsonValue::Null);
}

QJsonArray render(const QList<AdminQueueJob> &jobs) {
    QJsonArray array;
    for (const AdminQueueJob &job : jobs)
        array.append(adminJobJson(job));
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

QJsonObject adminJobJson(const AdminQueueJob &job) {
    QJsonValue error = QJsonValue::Null;
    if (!job.errorCode.isEmpty() || !job.errorMessage.isEmpty())
        error = QJsonObject{{QStringLiteral("code"), job.errorCode},
                            {QStringLiteral("message"), job.errorMessage}};
    return QJsonObject{
        {QStringLiteral("job_id"), job.jobId},
        {QStringLiteral("owner_id"), job.ownerId},
        {QStringLiteral("owner_name"),
         job.ownerName.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(job.ownerName)},
        {QStringLiteral("task_type"), job.taskType},
        {QStringLiteral("status"), job.status},
        {QStringLiteral("model_name"), job.modelName},
        {QStringLiteral("prompt"), job.prompt},
        {QStringLiteral("width"), job.width},
        {QStringLiteral("height"), job.height},
        {QStringLiteral("steps"), job.steps},
        {QStringLiteral("position"),
         job.position >= 0 ? QJsonValue(job.position) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("progress"), job.progress},
        {QStringLiteral("eta_relative"),
         job.etaSeconds ? QJsonValue(*job.etaSeconds) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("current_step"), job.currentStep},
        {QStringLiteral("total_steps"), job.totalSteps},
        {QStringLiteral("submitted_at"), isoTime(job.submittedAt)},
        {QStringLiteral("started_at"), isoTime(job.startedAt)},
        {QStringLiteral("finished_at"), isoTime(job.finishedAt)},
        {QStringLiteral("error"), error},
    };
}

void getAdminStatus(Services &s, const http::Request &, http::Responder res, const auth::Caller &caller) {
    s.adminStatus->status([res, caller](const QJsonObject &status) mutable {
        QJsonObject body = status;
        body.insert(QStringLiteral("caller"), callerJson(caller));
        res.json(200, body);
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
