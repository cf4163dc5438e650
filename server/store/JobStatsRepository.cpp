#include "server/store/JobStatsRepository.h"

#include "server/store/SqlTime.h"

#include <QJsonDocument>

namespace nav::store {

namespace {

// Every ended job has finished_at (markFinished and markFailed set it with the status); v12 indexes it.
const QString kEnded = QStringLiteral("status IN ('finished', 'failed', 'interrupted')");
const QString kEndedAt = QStringLiteral("finished_at");

bool isSqlite(const QSqlDatabase &db) {
    return db.driverName() == QLatin1String("QSQLITE");
}

// Whole seconds from started_at to finished_at, as an SQL expression of the connection's dialect.
QString runSecondsSql(const QSqlDatabase &db) {
    return isSqlite(db)
               ? QStringLiteral("CAST(ROUND((julianday(finished_at) - julianday(started_at)) * 86400) "
                                "AS INTEGER)")
               : QStringLiteral("TIMESTAMPDIFF(SECOND, started_at, finished_at)");
}

QString hourOfSql(const QSqlDatabase &db, const QString &column) {
    return isSqlite(db) ? QStringLiteral("strftime('%Y-%m-%d %H:00:00', %1)").arg(column)
                        : QStringLiteral("DATE_FORMAT(%1, '%Y-%m-%d %H:00:00')").arg(column);
}

QDateTime floorTo(const QDateTime &time, qint64 seconds) {
    const qint64 epoch = time.toSecsSinceEpoch();
    return QDateTime::fromSecsSinceEpoch(epoch - epoch % seconds, Qt::UTC);
}

} // namespace

QString sqlTime(const QDateTime &time) {
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

std::optional<qint64> HistoryEntry::durationSeconds() const {
    if (!job.startedAt.isValid() || !job.finishedAt.isValid())
        return std::nullopt;
    return std::max<qint64>(0, job.startedAt.secsTo(job.finishedAt));
}

QFuture<HistoryPage> JobStatsRepository::history(const HistoryFilter &filter, int offset, int limit) {
    return m_db.run<HistoryPage>([filter, offset, limit](QSqlDatabase &db) {
        QString where = kEnded;
        QVariantList binds;
        const auto add = [&](const QString &condition, const QVariant &value) {
            where += QStringLiteral(" AND ") + condition;
            binds << value;
        };
        if (!filter.ownerId.isEmpty())
            add(QStringLiteral("owner_id = ?"), filter.ownerId);
        if (!filter.status.isEmpty())
            add(QStringLiteral("status = ?"), filter.status);
        if (!filter.backend.isEmpty())
            add(QStringLiteral("backend = ?"), filter.backend);
        if (filter.since.isValid())
            add(kEndedAt + QStringLiteral(" >= ?"), sqlTime(filter.since));
        if (filter.until.isValid())
            add(kEndedAt + QStringLiteral(" < ?"), sqlTime(filter.until));

        HistoryPage page;
        QSqlQuery count = exec(db, QStringLiteral("SELECT COUNT(*) FROM jobs WHERE ") + where, binds);
        page.total = count.next() ? count.value(0).toLongLong() : 0;
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT job_id, owner_id, task_type, status, params, model_name, "
                                          "backend, attempts, sequence, created_at, started_at, finished_at, "
                                          "error_code, error_message FROM jobs WHERE %1 "
                                          "ORDER BY %2 DESC, sequence DESC LIMIT ? OFFSET ?")
                               .arg(where, kEndedAt),
                           binds + QVariantList{limit, offset});
        while (q.next()) {
            HistoryEntry entry;
            Job &job = entry.job;
            job.id = q.value(0).toString();
            job.ownerId = q.value(1).toString();
            job.taskType = q.value(2).toString();
            job.status = q.value(3).toString();
            job.params = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
            job.modelName = q.value(5).toString();
            entry.backend = q.value(6).toString();
            job.attempts = q.value(7).toInt();
            job.sequence = q.value(8).toLongLong();
            job.createdAt = utcDateTime(q.value(9));
            job.startedAt = utcDateTime(q.value(10));
            job.finishedAt = utcDateTime(q.value(11));
            job.errorCode = q.value(12).toString();
            job.errorMessage = q.value(13).toString();
            page.entries.append(entry);
        }
        return page;
    });
}

QFuture<UsageReport> JobStatsRepository::usage(const QDateTime &since, const QDateTime &now) {
    return m_db.run<UsageReport>([since, now](QSqlDatabase &db) {
        UsageReport report;
        const QString ran = QStringLiteral("started_at IS NOT NULL AND finished_at IS NOT NULL");
        QSqlQuery users =
            exec(db,
                 QStringLiteral(
                     "SELECT owner_id, COUNT(*), "
                     "SUM(CASE WHEN status = 'finished' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN status = 'interrupted' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN %1 THEN %2 ELSE 0 END), MAX(created_at) "
                     "FROM jobs %3 WHERE created_at >= ? GROUP BY owner_id ORDER BY COUNT(*) DESC, owner_id")
                     // SQLite would rather walk jobs_owner (no sort for the GROUP BY) through the whole
                     // table than take the window's range of jobs_created.
                     .arg(ran, runSecondsSql(db),
                          isSqlite(db) ? QStringLiteral("INDEXED BY jobs_created") : QString()),
                 {sqlTime(since)});
        while (users.next()) {
            UserUsage user;
            user.ownerId = users.value(0).toString();
            user.jobs = users.value(1).toLongLong();
            user.finished = users.value(2).toLongLong();
            user.failed = users.value(3).toLongLong();
            user.interrupted = users.value(4).toLongLong();
            user.gpuSeconds = users.value(5).toLongLong();
            user.lastSeen = utcDateTime(users.value(6));
            report.users.append(user);
        }

        const QString hour = hourOfSql(db, QStringLiteral("created_at"));
        QSqlQuery hours = exec(db,
                               QStringLiteral("SELECT %1 AS hour_start, COUNT(*), "
                                              "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) "
                                              "FROM jobs WHERE created_at >= ? GROUP BY hour_start")
                                   .arg(hour),
                               {sqlTime(since)});
        QHash<qint64, HourCount> found;
        while (hours.next()) {
            const QDateTime start = utcDateTime(hours.value(0));
            found.insert(start.toSecsSinceEpoch(),
                         HourCount{start, hours.value(1).toLongLong(), hours.value(2).toLongLong()});
        }
        for (QDateTime h = floorTo(since, 3600); h <= now; h = h.addSecs(3600))
            report.perHour.append(found.value(h.toSecsSinceEpoch(), HourCount{h, 0, 0}));
        return report;
    });
}

QFuture<QList<ActivityPoint>> JobStatsRepository::activity(const QDateTime &now, int minutes) {
    return m_db.run<QList<ActivityPoint>>([now, minutes](QSqlDatabase &db) {
        const QDateTime first = floorTo(now, 60).addSecs(-60 * qint64(minutes - 1));
        QList<ActivityPoint> points(minutes);
        for (int i = 0; i < minutes; ++i)
            points[i].minute = first.addSecs(60 * i);
        // Every job alive at some moment of the window: a few per minute of throughput plus the waiting ones,
        // so the lifetimes are laid over the minutes here rather than in one statement per minute.
        // Two index ranges (v12's jobs_finished) rather than one OR that reads the whole table.
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT status, created_at, started_at, finished_at FROM jobs "
                                          "WHERE finished_at >= ? AND created_at <= ? "
                                          "UNION ALL "
                                          "SELECT status, created_at, started_at, finished_at FROM jobs "
                                          "WHERE finished_at IS NULL AND created_at <= ?"),
                           {sqlTime(first), sqlTime(now), sqlTime(now)});
        const auto bucket = [&](const QDateTime &t) -> int {
            if (!t.isValid() || t < first)
                return -1;
            const qint64 index = first.secsTo(t) / 60;
            return index < minutes ? int(index) : -1;
        };
        while (q.next()) {
            const QString status = q.value(0).toString();
            const QDateTime created = utcDateTime(q.value(1));
            const QDateTime started = utcDateTime(q.value(2));
            const QDateTime finished = utcDateTime(q.value(3));
            if (int i = bucket(created); i >= 0)
                ++points[i].submitted;
            if (int i = bucket(finished); i >= 0) {
                if (status == QLatin1String("finished"))
                    ++points[i].finished;
                else if (status == QLatin1String("failed"))
                    ++points[i].failed;
                else if (status == QLatin1String("interrupted"))
                    ++points[i].interrupted;
            }
            for (ActivityPoint &point : points) {
                const QDateTime at = std::min(point.minute.addSecs(60), now);
                if (created > at || (finished.isValid() && finished <= at))
                    continue;
                if (started.isValid() && started <= at)
                    ++point.running;
                else
                    ++point.queued;
            }
        }
        return points;
    });
}

} // namespace nav::store
