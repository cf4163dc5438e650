#pragma once
// A small txt2img job for the pipeline suites that drive the queue or a backend worker directly.
#include "server/store/Job.h"

#include <QJsonObject>

namespace nav::test {

// Owner "1", `model`, `steps` steps of a 64x64 image: cheap for forge-sim.
inline store::Job txt2imgJob(const QString &id, const QString &model, int steps) {
    store::Job job;
    job.id = id;
    job.ownerId = QStringLiteral("1");
    job.taskType = QStringLiteral("txt2img");
    job.modelName = model;
    job.params =
        QJsonObject{{"prompt", "p"}, {"model_name", model}, {"steps", steps}, {"width", 64}, {"height", 64}};
    return job;
}

} // namespace nav::test
