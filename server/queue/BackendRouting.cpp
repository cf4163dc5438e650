#include "server/queue/BackendRouting.h"

#include "server/queue/QueueLogging_p.h"

namespace nav::queue {

void followUpBackend(JobQueue &queue, forge::ForgeClient &lookup, forge::ForgeCatalog &catalog) {
    catalog.setExtraCheckpoints([&queue] {
        QJsonArray all;
        for (const BackendWorker *worker : queue.backends())
            for (const QJsonValue &model : worker->checkpointList())
                all.append(model);
        return all;
    });
    QObject::connect(&queue, &JobQueue::backendStateChanged, &lookup, [&queue, &lookup, &catalog] {
        BackendWorker *current = nullptr;
        BackendWorker *firstUp = nullptr;
        for (BackendWorker *worker : queue.backends()) {
            if (worker->client()->sdApiHost() == lookup.sdApiHost())
                current = worker;
            if (!firstUp && worker->reachable())
                firstUp = worker;
        }
        if ((current && current->reachable()) || !firstUp || firstUp == current)
            return;
        qCInfo(lcQueue).noquote() << "lookups now go to" << firstUp->name();
        lookup.setTarget(firstUp->client()->sdApiHost(), firstUp->client()->base());
        catalog.invalidate();
    });
}

} // namespace nav::queue
