#include "server/ops/ServiceMetrics.h"

namespace nav::ops {

ServiceMetrics &metrics() {
    static ServiceMetrics instance;
    return instance;
}

void ServiceMetrics::render(QByteArray &out) const {
    jobsSubmitted.render(out);
    jobsFinished.render(out);
    jobsFailed.render(out);
    jobWait.render(out);
    jobRun.render(out);
    checkpointSwaps.render(out);
    generations.render(out);
    httpRequests.render(out);
    httpDuration.render(out);
    databaseErrors.render(out);
}

QString statusClass(int status) {
    return status >= 100 && status < 600 ? QStringLiteral("%1xx").arg(status / 100) : QStringLiteral("other");
}

} // namespace nav::ops
