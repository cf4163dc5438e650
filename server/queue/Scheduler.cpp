#include "server/queue/Scheduler.h"

#include <QSet>

#include <algorithm>

namespace nav::queue {

namespace {

// The index of `ownerId`'s entry in `owners`, added (with when the owner was last served) at its first job.
// `current`, the previous job's owner, is tried first: a batch of one owner needs no hash lookup per job.
template <typename Owner>
int ownerSlot(QList<Owner> &owners, QHash<QString, int> &index, int current, const QString &ownerId,
              const QHash<QString, quint64> &lastServed) {
    if (current >= 0 && owners[current].id == ownerId)
        return current;
    const auto found = index.constFind(ownerId);
    if (found != index.constEnd())
        return *found;
    Owner owner;
    owner.id = ownerId;
    owner.lastServed = lastServed.value(ownerId, 0);
    owners.append(owner);
    index.insert(ownerId, int(owners.size() - 1));
    return int(owners.size() - 1);
}

} // namespace

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

int Scheduler::position(const QList<store::Job> &queued, qsizetype index) const {
    if (index < 0 || index >= queued.size())
        return -1;
    // Promoted jobs come first, in m_promoted's order; a promoted id counts once, at its first job.
    QSet<QString> promotedLeft(m_promoted.begin(), m_promoted.end());
    QSet<QString> promotedPresent;
    bool targetPromoted = false;
    struct Owner {
        QString id;
        quint64 lastServed = 0;
        qsizetype count = 0; // the owner's jobs that are not promoted
    };
    QList<Owner> owners; // in the order of their first job that is not promoted
    QHash<QString, int> ownerIndex;
    int current = -1;          // the previous job's owner: a batch of one owner needs no hash lookup per job
    int target = -1;           // the owner of queued[index]
    qsizetype targetRound = 0; // how many of that owner's jobs come before it: its round in the round-robin
    for (qsizetype i = 0; i < queued.size(); ++i) {
        const store::Job &job = queued[i];
        if (!promotedLeft.isEmpty() && promotedLeft.remove(job.id)) {
            promotedPresent.insert(job.id);
            targetPromoted = targetPromoted || i == index;
            continue;
        }
        current = ownerSlot(owners, ownerIndex, current, job.ownerId, m_lastServed);
        if (i == index) {
            target = current;
            targetRound = owners[current].count;
        }
        ++owners[current].count;
    }
    if (targetPromoted) {
        int rank = 0;
        for (const QString &id : m_promoted) {
            if (id == queued[index].id)
                return rank;
            rank += promotedPresent.contains(id) ? 1 : 0;
        }
    }
    // Before it: every promoted job, its owner's earlier jobs, and from every other owner the jobs of the
    // earlier rounds plus, if that owner's turn comes first, the one of this round.
    qsizetype before = promotedPresent.size() + targetRound;
    const Owner &mine = owners[target];
    for (int o = 0; o < owners.size(); ++o) {
        if (o == target)
            continue;
        const Owner &other = owners[o];
        const bool earlierTurn =
            other.lastServed < mine.lastServed || (other.lastServed == mine.lastServed && o < target);
        before += qMin(other.count, targetRound) + (earlierTurn && other.count > targetRound ? 1 : 0);
    }
    return int(before);
}

int Scheduler::pick(const QList<store::Job> &queued, const QString &loadedModel, const CanRun &canRun) {
    // The candidates are each owner's first job this backend can run, in the order order() lists them. They
    // are found in one pass over the queue rather than by ordering all of it: this runs for every dispatch.
    struct Owner {
        QString id;
        quint64 lastServed = 0;
        qsizetype seen = 0;      // the owner's jobs so far that are not promoted
        qsizetype head = -1;     // index of the first of them this backend can run
        qsizetype headRound = 0; // its position among them: the round of order()'s round-robin it is in
    };
    QHash<QString, int> promotedRank; // job id -> position in m_promoted
    for (int i = 0; i < m_promoted.size(); ++i)
        promotedRank.insert(m_promoted[i], i);
    QList<std::pair<int, qsizetype>> promoted; // (promotion rank, index) of the promoted jobs it can run
    QList<Owner> owners;                       // in the order of their first job that is not promoted
    QHash<QString, int> ownerIndex;
    int current = -1; // the previous job's owner: a batch of one owner needs no hash lookup per job
    for (qsizetype i = 0; i < queued.size(); ++i) {
        const store::Job &job = queued[i];
        if (!promotedRank.isEmpty()) {
            const auto rank = promotedRank.constFind(job.id);
            if (rank != promotedRank.constEnd()) {
                if (!canRun || canRun(job))
                    promoted.append({*rank, i});
                continue;
            }
        }
        current = ownerSlot(owners, ownerIndex, current, job.ownerId, m_lastServed);
        Owner &owner = owners[current];
        if (owner.head < 0 && (!canRun || canRun(job))) {
            owner.head = i;
            owner.headRound = owner.seen;
        }
        ++owner.seen;
    }

    // Promoted jobs first, most recently promoted first; each owner competes with one job only.
    std::sort(promoted.begin(), promoted.end());
    QList<qsizetype> heads;
    QSet<QString> promotedOwners;
    for (const auto &[rank, index] : std::as_const(promoted))
        if (!promotedOwners.contains(queued[index].ownerId)) {
            promotedOwners.insert(queued[index].ownerId);
            heads.append(index);
        }
    // Then as order()'s round-robin reaches them: by round, then the owner served least recently, then the
    // owner whose first job came first.
    QList<int> rest;
    for (int o = 0; o < owners.size(); ++o)
        if (owners[o].head >= 0 && !promotedOwners.contains(owners[o].id))
            rest.append(o);
    std::sort(rest.begin(), rest.end(), [&owners](int a, int b) {
        const Owner &x = owners[a];
        const Owner &y = owners[b];
        if (x.headRound != y.headRound)
            return x.headRound < y.headRound;
        if (x.lastServed != y.lastServed)
            return x.lastServed < y.lastServed;
        return a < b;
    });
    for (int o : std::as_const(rest))
        heads.append(owners[o].head);
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
        if (m_skips.value(job.id) >= m_maxSkips || promotedRank.contains(job.id))
            break;
    }
    for (int i = 0; i < chosen; ++i)
        ++m_skips[queued[heads[i]].id];
    return int(heads[chosen]);
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
