#pragma once
// Chooses the next queued job for an idle backend (pure logic, unit-tested):
//  - fairness first: the owner served least recently goes next (round-robin between owners), FIFO within an
//    owner, so one user's batch cannot starve everyone else;
//  - model affinity as a tie-break: among owners equally due, a job for the checkpoint the backend already
//  has
//    loaded wins, saving a model switch.
#include "server/store/Job.h"

#include <QHash>
#include <QList>

namespace nav::queue {

// Whether the checkpoint Forge reports as loaded is `wanted`. Forge reports either the bare name sent through
// the API or a title such as "name.safetensors [hash]".
bool isLoadedModel(const QString &loaded, const QString &wanted);

class Scheduler {
public:
    // Index into `queued` (which is in FIFO order) of the job to run next, or -1 when empty.
    int pick(const QList<store::Job> &queued, const QString &loadedModel) const;
    // Records that `ownerId` was just served.
    void served(const QString &ownerId);

private:
    QHash<QString, quint64> m_lastServed; // owner -> serial of their last start
    quint64 m_serial = 0;
};

} // namespace nav::queue
