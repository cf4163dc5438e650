#include "server/queue/JobWriteChain.h"

#include "server/queue/QueueLogging_p.h"

#include <QTimer>

#include <algorithm>

namespace nav::queue {

namespace {
constexpr int kFirstRetryMs = 250;
}

JobWriteChain::JobWriteChain(store::JobRepository &repository, QObject *parent)
    : QObject(parent), m_repository(repository) {}

void JobWriteChain::write(store::JobWrite write, std::function<void(bool)> done) {
    m_pending.append({std::move(write), std::move(done)});
    if (m_busy)
        return;
    // Starts at the end of this event-loop turn, so every write queued during the turn joins the batch.
    m_busy = true;
    QMetaObject::invokeMethod(this, &JobWriteChain::runNext, Qt::QueuedConnection);
}

void JobWriteChain::runNext() {
    if (m_pending.isEmpty()) {
        m_busy = false;
        if (m_flushed)
            std::exchange(m_flushed, nullptr)();
        return;
    }
    m_busy = true;
    int count = m_isolated > 0 ? 1 : static_cast<int>(qMin<qsizetype>(m_pending.size(), kMaxBatch));
    if (!m_held.isEmpty()) {
        // The batch ends before the first write of a job whose row is not in the database yet.
        int ready = 0;
        while (ready < count && !m_held.contains(m_pending.at(ready).write.jobId))
            ++ready;
        if (ready == 0) {
            m_busy = false; // release() starts the chain again
            return;
        }
        count = ready;
    }
    QList<store::JobWrite> batch;
    batch.reserve(count);
    for (int i = 0; i < count; ++i)
        batch.append(m_pending.at(i).write);
    // The batch stays at the head of the chain until it commits or fails for good.
    m_repository.apply(std::move(batch))
        .then(this, [this, count] { committed(count); })
        .onFailed(this,
                  [this, count](const store::DbError &e) {
                      qCWarning(lcQueue).noquote() << "database error:" << e.message();
                      failed(count, e.unavailable());
                  })
        .onFailed(this, [this, count](const std::exception &e) {
            qCCritical(lcQueue) << "database error:" << e.what();
            failed(count, false);
        });
}

void JobWriteChain::committed(int count) {
    m_retryDelayMs = 0;
    m_isolated = qMax(0, m_isolated - count);
    setDatabaseDown(false);
    const QList<Pending> done = m_pending.mid(0, count);
    m_pending.remove(0, count);
    for (const Pending &write : done)
        if (write.done)
            write.done(true);
    runNext();
}

void JobWriteChain::failed(int count, bool unavailable) {
    if (unavailable) {
        setDatabaseDown(true);
        m_retryDelayMs = m_retryDelayMs == 0 ? kFirstRetryMs : qMin(m_retryDelayMs * 2, m_maxRetryDelayMs);
        qCWarning(lcQueue).noquote()
            << QStringLiteral("database unreachable: %1 job-state write(s) wait, next try in %2 ms")
                   .arg(m_pending.size())
                   .arg(m_retryDelayMs);
        QTimer::singleShot(m_retryDelayMs, this, &JobWriteChain::runNext);
        return;
    }
    if (count > 1) {
        qCWarning(lcQueue) << "a batch of" << count
                           << "job-state writes was rolled back; its writes are tried again one by one";
        m_isolated = count;
        runNext();
        return;
    }
    m_isolated = qMax(0, m_isolated - 1);
    const Pending bad = m_pending.takeFirst();
    qCWarning(lcQueue).noquote() << "a job-state write for" << bad.write.jobId << "failed and was dropped";
    if (bad.done)
        bad.done(false);
    runNext();
}

void JobWriteChain::setDatabaseDown(bool down) {
    if (m_databaseDown == down)
        return;
    m_databaseDown = down;
    emit availabilityChanged(!down);
}

bool JobWriteChain::hasPending(const QString &jobId) const {
    return std::any_of(m_pending.begin(), m_pending.end(),
                       [&](const Pending &pending) { return pending.write.jobId == jobId; });
}

void JobWriteChain::release(const QString &jobId, bool keep) {
    if (!m_held.remove(jobId))
        return;
    if (!keep) {
        // None of them is in a running batch: a batch ends before a held job's first write.
        m_pending.removeIf([&](const Pending &pending) { return pending.write.jobId == jobId; });
    }
    if (m_busy)
        return;
    m_busy = true;
    QMetaObject::invokeMethod(this, &JobWriteChain::runNext, Qt::QueuedConnection);
}

void JobWriteChain::flush(std::function<void()> done) {
    if (!m_busy && m_pending.isEmpty()) {
        done();
        return;
    }
    m_flushed = std::move(done);
}

} // namespace nav::queue
