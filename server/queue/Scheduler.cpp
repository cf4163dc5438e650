#include "server/queue/Scheduler.h"

#include <QSet>

#include <algorithm>

namespace nav::queue {

bool isLoadedModel(const QString &loaded, const QString &wanted) {
    return !loaded.isEmpty() && (loaded == wanted || loaded.startsWith(wanted + QLatin1Char('.')) ||
                                 loaded.startsWith(wanted + QStringLiteral(" [")));
}

QList<int> Scheduler::order(const QList<store::Job> &queued) const {
    QList<int> result;
    result.reserve(queued.size());
    QSet<int> taken;
    for (const QString &id : m_promoted)
        for (int i = 0; i < queued.size(); ++i)
            if (queued[i].id == id) {
                result.append(i);
                taken.insert(i);
                break;
            }
    // Each owner's jobs in FIFO order; owners ordered by their last turn (never served first), then by
    // their oldest job.
    QStringList owners;
    QHash<QString, QList<int>> byOwner;
    for (int i = 0; i < queued.size(); ++i) {
        if (taken.contains(i))
            continue;
        auto &list = byOwner[queued[i].ownerId];
        if (list.isEmpty())
            owners.append(queued[i].ownerId);
        list.append(i);
    }
    std::stable_sort(owners.begin(), owners.end(), [this](const QString &a, const QString &b) {
        return m_lastServed.value(a, 0) < m_lastServed.value(b, 0);
    });
    for (int round = 0; result.size() < queued.size(); ++round)
        for (const QString &owner : owners) {
            const auto &list = byOwner[owner];
            if (round < list.size())
                result.append(list[round]);
        }
    return result;
}

int Scheduler::pick(const QList<store::Job> &queued, const QString &loadedModel, const CanRun &canRun) {
    // Candidates: each owner's first job this backend can run, in dispatch order (FIFO within an owner).
    QList<int> heads;
    QSet<QString> seen;
    for (int index : order(queued)) {
        const store::Job &job = queued[index];
        if (seen.contains(job.ownerId) || (canRun && !canRun(job)))
            continue;
        seen.insert(job.ownerId);
        heads.append(index);
    }
    if (heads.isEmpty())
        return -1;
    int chosen = 0;
    for (int i = 0; i < heads.size(); ++i) {
        const store::Job &job = queued[heads[i]];
        if (isLoadedModel(loadedModel, job.modelName)) {
            chosen = i;
            break;
        }
        // Jobs that were passed over often enough, and promoted ones, are not passed over again.
        if (m_skips.value(job.id) >= m_maxSkips || m_promoted.contains(job.id))
            break;
    }
    for (int i = 0; i < chosen; ++i)
        ++m_skips[queued[heads[i]].id];
    return heads[chosen];
}

void Scheduler::served(const QString &ownerId) {
    m_lastServed.insert(ownerId, ++m_serial);
}

void Scheduler::promote(const QString &jobId) {
    m_promoted.removeAll(jobId);
    m_promoted.prepend(jobId);
}

void Scheduler::forget(const QString &jobId) {
    m_promoted.removeAll(jobId);
    m_skips.remove(jobId);
}

} // namespace nav::queue
