#pragma once
// A job queue the test fills by hand, for the admin endpoints and the window tests that run without the
// real pipeline.
#include "server/api/AdminQueueSource.h"

namespace nav::test {

class FakeQueueSource : public api::AdminQueueSource {
public:
    api::AdminQueueSnapshot snapshot;
    QString error;
    int calls = 0;
    int lastRecentCount = -1;

    void adminSnapshot(int recentCount,
                       std::function<void(const api::AdminQueueSnapshot &, const QString &)> done) override {
        ++calls;
        lastRecentCount = recentCount;
        done(snapshot, error);
    }

    static api::AdminQueueJob job(const QString &id, const QString &status, int position = -1) {
        api::AdminQueueJob job;
        job.jobId = id;
        job.ownerId = QStringLiteral("100");
        job.taskType = QStringLiteral("txt2img");
        job.status = status;
        job.modelName = QStringLiteral("modelA");
        job.prompt = QStringLiteral("a lighthouse at dusk");
        job.width = 512;
        job.height = 768;
        job.steps = 20;
        job.position = position;
        job.submittedAt = QDateTime::currentDateTimeUtc();
        return job;
    }
};

} // namespace nav::test
