#include "server/queue/EnqueueBatcher.h"

#include "server/queue/QueueLogging_p.h"

namespace nav::queue {

EnqueueBatcher::EnqueueBatcher(store::JobRepository &repository, QObject *parent)
    : QObject(parent), m_repository(repository) {}

void EnqueueBatcher::insert(store::Job job, std::optional<qint64> categoryId, Inserted inserted,
                            Failed failed) {
    m_pending.append({{std::move(job), categoryId}, std::move(inserted), std::move(failed)});
    if (m_busy)
        return;
    // Starts at the end of this event-loop turn, so every submission of the turn joins the batch.
    m_busy = true;
    QMetaObject::invokeMethod(this, &EnqueueBatcher::runNext, Qt::QueuedConnection);
}

void EnqueueBatcher::runNext() {
    QList<Pending> batch;
    if (!m_isolated.isEmpty()) {
        batch.append(m_isolated.takeFirst());
    } else {
        const qsizetype count = qMin<qsizetype>(m_pending.size(), kMaxBatch);
        batch = m_pending.mid(0, count);
        m_pending.remove(0, count);
    }
    if (batch.isEmpty()) {
        m_busy = false;
        return;
    }
    QList<store::JobRepository::NewJob> items;
    items.reserve(batch.size());
    for (const Pending &pending : batch)
        items.append(pending.item);
    m_repository.enqueueAll(std::move(items))
        .then(this,
              [this, batch](const QList<store::JobRepository::Enqueued> &results) { done(batch, results); })
        .onFailed(this, [this, batch](const store::DbError &e) { failed(batch, e.unavailable()); })
        .onFailed(this, [this, batch](const std::exception &e) {
            qCCritical(lcQueue) << "database error while queueing jobs:" << e.what();
            failed(batch, false);
        });
}

void EnqueueBatcher::done(const QList<Pending> &batch, const QList<store::JobRepository::Enqueued> &results) {
    for (qsizetype i = 0; i < batch.size(); ++i)
        batch[i].inserted(results.value(i));
    runNext();
}

void EnqueueBatcher::failed(QList<Pending> batch, bool unavailable) {
    if (unavailable || batch.size() == 1) {
        for (const Pending &pending : batch)
            pending.failed(unavailable);
    } else {
        qCWarning(lcQueue) << "a batch of" << batch.size()
                           << "new jobs was rolled back; they are inserted again one by one";
        m_isolated = std::move(batch);
    }
    runNext();
}

} // namespace nav::queue
