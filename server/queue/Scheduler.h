#pragma once
// Chooses the next queued job for a free backend (pure logic, unit-tested):
//  - fairness: round-robin between owners (the owner served least recently goes next), FIFO within an owner,
//    so one user's batch cannot starve everyone else; promoted jobs go before all others;
//  - model affinity: a job whose checkpoint the backend already has loaded may go before the fair choice,
//    but each job is passed over at most `maxSkips` times (the starvation guard);
//  - a backend only gets jobs it can run (it has the checkpoint).
#include "server/store/Job.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <functional>

namespace nav::queue {

// Whether the checkpoint Forge reports as loaded is `wanted`. Forge reports either the bare name sent through
// the API or a title such as "name.safetensors [hash]".
bool isLoadedModel(const QString &loaded, const QString &wanted);

class Scheduler final {
public:
    using CanRun = std::function<bool(const store::Job &)>;

    explicit Scheduler(int maxSkips = 4) : m_maxSkips(maxSkips) {}

    // The dispatch order of `queued` (which is in FIFO order) as indices, ignoring affinity: promoted jobs,
    // then round-robin between owners. Positions in GET /api/queue follow it.
    QList<int> order(const QList<store::Job> &queued) const;
    // Where queued[index] stands in order(), from 0; -1 when index is out of range. One pass over `queued`
    // that counts each owner's jobs instead of ordering them all: it runs for every submission (the
    // task-queued event's position) and every job state read.
    int position(const QList<store::Job> &queued, qsizetype index) const;
    // Index into `queued` of the job to run next on a backend with `loadedModel`, or -1 when none fits: the
    // first in order() among each owner's first job the backend can run, unless affinity prefers a later
    // one. Counts a skip for every job passed over in favour of an affine one. One pass over `queued`.
    int pick(const QList<store::Job> &queued, const QString &loadedModel, const CanRun &canRun = {});
    // Records that `ownerId` was just served.
    void served(const QString &ownerId);
    // Moves a job in front of all others (admin promote); returns false if it is not in `queued`.
    void promote(const QString &jobId);
    // A job left the queue: drop its skip count and promotion.
    void forget(const QString &jobId);

private:
    int m_maxSkips;
    QHash<QString, quint64> m_lastServed; // owner -> serial of their last start
    quint64 m_serial = 0;
    QStringList m_promoted; // most recently promoted first
    QHash<QString, int> m_skips;
};

} // namespace nav::queue
