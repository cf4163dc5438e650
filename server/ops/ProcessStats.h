#pragma once
// Figures about this process from /proc (Linux): resident memory, open file descriptors, start time.
// They read small in-memory files; GET /metrics still reads them off the event loop.
#include <QtGlobal>

namespace nav::ops {

struct ProcessStats {
    qint64 residentBytes = -1; // -1 when unknown
    qint64 openFds = -1;
    qint64 maxFds = -1;
    double startTimeSeconds = -1; // since the Unix epoch
};

ProcessStats readProcessStats();

} // namespace nav::ops
