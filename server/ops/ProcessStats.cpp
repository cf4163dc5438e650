#include "server/ops/ProcessStats.h"

#include <QDateTime>
#include <QDir>
#include <QFile>

#include <sys/resource.h>
#include <unistd.h>

namespace nav::ops {

namespace {

// The process start: static initialisation runs when the program is loaded.
const double kStartTime = static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;

} // namespace

ProcessStats readProcessStats() {
    ProcessStats stats;
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1)
            stats.residentBytes = fields[1].toLongLong() * sysconf(_SC_PAGESIZE);
    }
    const QDir fds(QStringLiteral("/proc/self/fd"));
    if (fds.exists())
        stats.openFds = fds.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size();
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        stats.maxFds = static_cast<qint64>(limit.rlim_cur);
    stats.startTimeSeconds = kStartTime;
    return stats;
}

} // namespace nav::ops
