#pragma once
// How a SQLite connection waits for another one's write lock. SQLite's own busy handler (busy_timeout) sleeps
// 1, 2, 5, 10, ... ms between tries, so a transaction that waits for a write of another pool thread (a new
// job's insert behind the job-state chain, or a png-info write) loses a millisecond or more to a lock held
// for a tenth of that. This one starts at 20 µs and doubles up to 2 ms per try, for the same total budget.
#include <QSqlDatabase>
#include <QtGlobal>

namespace nav::store {

// The sleep before try `attempt` + 1 (the first wait is attempt 0), in microseconds, or -1 once the sleeps so
// far and this one would exceed `budgetUs`: then SQLite gives up with SQLITE_BUSY.
qint64 busySleepMicros(int attempt, qint64 budgetUs);

// Installs that wait on an open QSQLITE connection, giving up after `budgetMs` in all. False if the driver
// gave no SQLite handle.
bool installBusyWait(QSqlDatabase &db, int budgetMs);

} // namespace nav::store
