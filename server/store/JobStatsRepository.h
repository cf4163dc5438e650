#pragma once
// Read-only views of the jobs table for the admin window: the paged history of ended jobs, usage per user
// aggregated in SQL over a time window, and a per-minute activity series (queue length, running jobs, jobs
// ended) for the status charts. Cancelled queued jobs are deleted from the table, so they appear in none.
#include "server/store/Database.h"
#include "server/store/Job.h"

#include <QDateTime>
#include <QFuture>
#include <QList>

#include <optional>

namespace nav::store {

struct HistoryFilter {
    QString ownerId; // empty: every owner
    QString status;  // finished | failed | interrupted; empty: all three
    QString backend; // empty: every backend
    QDateTime since; // ended at or after (invalid: no bound)
    QDateTime until; // ended before (invalid: no bound)
};

struct HistoryEntry {
    Job job;         // params, times, error; origin is not read
    QString backend; // the backend that ran it last (empty if it never started)
    // Seconds between the last start and the end, or nullopt when the job never started.
    std::optional<qint64> durationSeconds() const;
};

struct HistoryPage {
    QList<HistoryEntry> entries; // newest end first
    qint64 total = 0;            // matching rows over all pages
};

struct UserUsage {
    QString ownerId;
    qint64 jobs = 0; // submitted in the window, whatever their state now
    qint64 finished = 0;
    qint64 failed = 0;
    qint64 interrupted = 0;
    qint64 gpuSeconds = 0; // sum of start-to-end times of the ended jobs that started
    QDateTime lastSeen;    // the newest submission in the window
};

struct HourCount {
    QDateTime hour; // start of the hour, UTC
    qint64 jobs = 0;
    qint64 failed = 0;
};

struct UsageReport {
    QList<UserUsage> users;   // most jobs first
    QList<HourCount> perHour; // every hour of the window, oldest first, zeros included
};

struct ActivityPoint {
    QDateTime minute;  // start of the minute, UTC
    int queued = 0;    // waiting at the end of the minute (or now, for the current one)
    int running = 0;   // running at that moment
    int submitted = 0; // submitted during the minute
    int finished = 0;  // ended during the minute, by status
    int failed = 0;
    int interrupted = 0;
};

class JobStatsRepository final {
public:
    explicit JobStatsRepository(Database &db) : m_db(db) {}

    QFuture<HistoryPage> history(const HistoryFilter &filter, int offset, int limit);
    // Jobs submitted at or after `since`; `now` closes the hourly series.
    QFuture<UsageReport> usage(const QDateTime &since, const QDateTime &now);
    // `minutes` one-minute points ending with the minute that holds `now`.
    QFuture<QList<ActivityPoint>> activity(const QDateTime &now, int minutes);

private:
    Database &m_db;
};

// DATETIME bind value for comparisons: "yyyy-MM-dd HH:mm:ss" UTC, the form SQLite's CURRENT_TIMESTAMP writes
// and MariaDB reads as a DATETIME.
QString sqlTime(const QDateTime &time);

} // namespace nav::store
