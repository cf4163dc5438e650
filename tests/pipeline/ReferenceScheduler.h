#pragma once
// The scheduler's choice as it was made before Scheduler::pick() learned to make it in one pass: order() the
// whole queue, then take each owner's first job the backend can run. Kept only as the reference that
// tst_scheduler compares pick() with, and scheduler_bench times pick() against.
#include "server/queue/Scheduler.h"

#include <QHash>
#include <QSet>
#include <QStringList>

#include <algorithm>

namespace nav::test {

class ReferenceScheduler {
public:
    explicit ReferenceScheduler(int maxSkips) : m_maxSkips(maxSkips) {}

    QList<int> order(const QList<store::Job> &queued) const {
        QList<int> result;
        QSet<int> taken;
        for (const QString &id : m_promoted)
            for (int i = 0; i < queued.size(); ++i)
                if (queued[i].id == id) {
                    result.append(i);
                    taken.insert(i);
                    break;
                }
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
            for (const QString &owner : owners)
                if (round < byOwner[owner].size())
                    result.append(byOwner[owner][round]);
        return result;
    }

    int pick(const QList<store::Job> &queued, const QString &loadedModel,
             const queue::Scheduler::CanRun &canRun) {
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
            if (queue::isLoadedModel(loadedModel, job.modelName)) {
                chosen = i;
                break;
            }
            if (m_skips.value(job.id) >= m_maxSkips || m_promoted.contains(job.id))
                break;
        }
        for (int i = 0; i < chosen; ++i)
            ++m_skips[queued[heads[i]].id];
        return heads[chosen];
    }

    void served(const QString &ownerId) { m_lastServed.insert(ownerId, ++m_serial); }
    void promote(const QString &jobId) {
        m_promoted.removeAll(jobId);
        m_promoted.prepend(jobId);
    }
    void forget(const QString &jobId) {
        m_promoted.removeAll(jobId);
        m_skips.remove(jobId);
    }

private:
    int m_maxSkips;
    QHash<QString, quint64> m_lastServed;
    quint64 m_serial = 0;
    QStringList m_promoted;
    QHash<QString, int> m_skips;
};

} // namespace nav::test
