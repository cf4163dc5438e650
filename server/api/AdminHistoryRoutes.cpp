#include "server/api/AdminHistoryRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/Pagination.h"
#include "server/store/JobStatsRepository.h"
#include "shared/api/HistoryJob.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <cmath>

namespace nav::api {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

QJsonValue isoTime(const QDateTime &time) {
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs))
                          : QJsonValue(QJsonValue::Null);
}

QJsonValue orNull(const QString &text) {
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

// An ISO 8601 date (midnight UTC) or date-time (UTC unless it names an offset); invalid if it is neither.
QDateTime parseTime(const QString &text) {
    // QDate's ISO parser also accepts a date-time and drops the time, so a date is told apart by its length.
    if (text.size() == 10) {
        const QDate date = QDate::fromString(text, Qt::ISODate);
        return date.isValid() ? date.startOfDay(Qt::UTC) : QDateTime();
    }
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (time.isValid() && time.timeSpec() == Qt::LocalTime)
        time.setTimeSpec(Qt::UTC);
    return time;
}

// Calls `done` with the display names of `ids` (empty when there is no lookup or it fails).
void lookUpNames(const OwnerNameLookup &names, QStringList ids,
                 std::function<void(const QHash<QString, QString> &)> done) {
    ids.removeDuplicates();
    if (!names || ids.isEmpty())
        return done({});
    QObject *context = QCoreApplication::instance();
    names(ids).then(context, done).onFailed(context, [done] { done({}); });
}

// The shared shape of an ended job (shared/api/HistoryJob.h) from its row and parameters.
QJsonObject historyJson(const store::HistoryEntry &entry, const QString &ownerName) {
    const store::Job &job = entry.job;
    const auto param = [&job](const char *key) { return job.params.value(QLatin1String(key)); };
    api::HistoryJob shape;
    shape.jobId = job.id;
    shape.ownerId = job.ownerId;
    shape.ownerName = ownerName;
    shape.taskType = job.taskType;
    shape.status = job.status;
    shape.modelName = job.modelName;
    shape.prompt = param("prompt").toString();
    shape.negativePrompt = param("negative_prompt").toString();
    shape.width = param("width").toInt();
    shape.height = param("height").toInt();
    shape.steps = param("steps").toInt();
    if (param("seed").isDouble())
        shape.seed = static_cast<qint64>(param("seed").toDouble());
    shape.backend = entry.backend;
    shape.attempts = job.attempts;
    shape.submittedAt = job.createdAt;
    shape.startedAt = job.startedAt;
    shape.finishedAt = job.finishedAt;
    shape.durationSeconds = entry.durationSeconds();
    shape.errorCode = job.errorCode;
    shape.errorMessage = job.errorMessage;
    return shape.toJson();
}

// Reads ?since / ?until into `filter`; false (and the 400 sent) when one is not a date.
bool readTimeBounds(const http::Request &req, http::Responder &res, store::HistoryFilter &filter) {
    for (const auto &[key, target, code] : {std::tuple{"since", &filter.since, "INVALID_SINCE"},
                                            std::tuple{"until", &filter.until, "INVALID_UNTIL"}}) {
        const auto text = req.queryValue(QLatin1String(key));
        if (!text || text->isEmpty())
            continue;
        *target = parseTime(*text);
        if (!target->isValid()) {
            res.error(400,
                      QStringLiteral("%1 must be an ISO 8601 date or date-time, e.g. 2026-11-27 or "
                                     "2026-11-27T08:00:00Z")
                          .arg(QLatin1String(key)),
                      QLatin1String(code));
            return false;
        }
    }
    return true;
}

void answerHistory(const http::Request &req, http::Responder res, store::JobStatsRepository &stats,
                   const OwnerNameLookup &names) {
    store::HistoryFilter filter;
    filter.ownerId = req.queryValue(QStringLiteral("user")).value_or(QString());
    filter.backend = req.queryValue(QStringLiteral("backend")).value_or(QString());
    filter.status = req.queryValue(QStringLiteral("status")).value_or(QString());
    static const QStringList statuses{"finished", "failed", "interrupted"};
    if (!filter.status.isEmpty() && !statuses.contains(filter.status))
        return res.error(400, QStringLiteral("status must be one of finished, failed, interrupted"),
                         QStringLiteral("INVALID_STATUS"));
    if (!readTimeBounds(req, res, filter))
        return;
    const PageRequest page = parsePageRequest(req, kDefaultPageSize, kMaxPageSize);
    whenReady(stats.history(filter, page.offset(), page.limit), res,
              [res, page, names](const store::HistoryPage &result) mutable {
                  QStringList ids;
                  for (const auto &entry : result.entries)
                      ids << entry.job.ownerId;
                  lookUpNames(names, ids, [res, page, result](const QHash<QString, QString> &found) mutable {
                      QJsonArray jobs;
                      for (const auto &entry : result.entries)
                          jobs.append(historyJson(entry, found.value(entry.job.ownerId)));
                      QJsonObject body = pageFields(result.total, page);
                      body.insert("jobs", jobs);
                      res.json(200, body);
                  });
              });
}

void answerUsage(const http::Request &req, http::Responder res, store::JobStatsRepository &stats,
                 const OwnerNameLookup &names) {
    static const QList<QPair<QString, qint64>> windows{
        {"24h", 24 * 3600}, {"7d", 7 * 24 * 3600}, {"30d", 30 * 24 * 3600}};
    const QString window = req.queryValue(QStringLiteral("window")).value_or(QStringLiteral("24h"));
    const auto match = std::find_if(windows.begin(), windows.end(),
                                    [&window](const auto &entry) { return entry.first == window; });
    if (match == windows.end())
        return res.error(400, QStringLiteral("window must be one of 24h, 7d, 30d"),
                         QStringLiteral("INVALID_WINDOW"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime since = now.addSecs(-match->second);
    whenReady(
        stats.usage(since, now), res,
        [res, names, window, since, now](const store::UsageReport &report) mutable {
            QStringList ids;
            for (const auto &user : report.users)
                ids << user.ownerId;
            lookUpNames(
                names, ids, [res, report, window, since, now](const QHash<QString, QString> &found) mutable {
                    QJsonArray users;
                    qint64 jobs = 0, finished = 0, failed = 0, interrupted = 0, gpu = 0;
                    for (const auto &user : report.users) {
                        users.append(QJsonObject{{"owner_id", user.ownerId},
                                                 {"owner_name", orNull(found.value(user.ownerId))},
                                                 {"jobs", user.jobs},
                                                 {"finished", user.finished},
                                                 {"failed", user.failed},
                                                 {"interrupted", user.interrupted},
                                                 {"gpu_seconds", user.gpuSeconds},
                                                 {"last_seen", isoTime(user.lastSeen)}});
                        jobs += user.jobs;
                        finished += user.finished;
                        failed += user.failed;
                        interrupted += user.interrupted;
                        gpu += user.gpuSeconds;
                    }
                    QJsonArray hours;
                    for (const auto &hour : report.perHour)
                        hours.append(QJsonObject{
                            {"hour", isoTime(hour.hour)}, {"jobs", hour.jobs}, {"failed", hour.failed}});
                    res.json(200, QJsonObject{{"window", window},
                                              {"since", isoTime(since)},
                                              {"until", isoTime(now)},
                                              {"totals", QJsonObject{{"jobs", jobs},
                                                                     {"finished", finished},
                                                                     {"failed", failed},
                                                                     {"interrupted", interrupted},
                                                                     {"gpu_seconds", gpu}}},
                                              {"users", users},
                                              {"per_hour", hours}});
                });
        });
}

void answerActivity(const http::Request &req, http::Responder res, store::JobStatsRepository &stats) {
    int minutes = 60;
    if (const auto text = req.queryValue(QStringLiteral("minutes")); text && !text->isEmpty()) {
        bool ok = false;
        minutes = text->toInt(&ok);
        if (!ok || minutes < 1 || minutes > kMaxActivityMinutes)
            return res.error(
                400, QStringLiteral("minutes must be a whole number from 1 to %1").arg(kMaxActivityMinutes),
                QStringLiteral("INVALID_MINUTES"));
    }
    whenReady(stats.activity(QDateTime::currentDateTimeUtc(), minutes), res,
              [res](const QList<store::ActivityPoint> &points) mutable {
                  QJsonArray list;
                  for (const auto &p : points)
                      list.append(QJsonObject{{"minute", isoTime(p.minute)},
                                              {"queued", p.queued},
                                              {"running", p.running},
                                              {"submitted", p.submitted},
                                              {"finished", p.finished},
                                              {"failed", p.failed},
                                              {"interrupted", p.interrupted}});
                  res.json(200, QJsonObject{{"interval_seconds", 60}, {"points", list}});
              });
}

} // namespace

void getAdminHistory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerHistory(req, res, *s.jobStats, s.ownerNames);
}

void getAdminUsage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerUsage(req, res, *s.jobStats, s.ownerNames);
}

void getAdminActivity(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerActivity(req, res, *s.jobStats);
}

} // namespace nav::api
