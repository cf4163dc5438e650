#include "server/store/SqliteBusyWait.h"

#include <QSqlDriver>
#include <QThread>
#include <QVariant>

#include <sqlite3.h>

namespace nav::store {

namespace {

constexpr qint64 kFirstSleepUs = 20;
constexpr int kDoublings = 7; // 20 µs, 40 µs, ... 1.28 ms; then kLongestSleepUs per try
constexpr qint64 kLongestSleepUs = 2000;

// Each connection's budget, in microseconds, is the handler's argument: a pointer-sized value, no allocation.
int busyWait(void *budgetUs, int attempt) {
    const qint64 sleep = busySleepMicros(attempt, reinterpret_cast<qintptr>(budgetUs));
    if (sleep < 0)
        return 0;
    QThread::usleep(static_cast<unsigned long>(sleep));
    return 1;
}

} // namespace

qint64 busySleepMicros(int attempt, qint64 budgetUs) {
    const int doubled = qMin(attempt, kDoublings);
    const qint64 sleptWhileDoubling = kFirstSleepUs * ((qint64(1) << doubled) - 1);
    const qint64 slept = sleptWhileDoubling + qMax(0, attempt - kDoublings) * kLongestSleepUs;
    const qint64 sleep = attempt < kDoublings ? kFirstSleepUs << attempt : kLongestSleepUs;
    return slept + sleep > budgetUs ? -1 : sleep;
}

bool installBusyWait(QSqlDatabase &db, int budgetMs) {
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return false;
    sqlite3 *connection = *static_cast<sqlite3 *const *>(handle.constData());
    if (!connection)
        return false;
    const qintptr budgetUs = qintptr(budgetMs) * 1000;
    return sqlite3_busy_handler(connection, busyWait, reinterpret_cast<void *>(budgetUs)) == SQLITE_OK;
}

} // namespace nav::store
