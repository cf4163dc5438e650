#include "server/queue/Scheduler.h"

#include <QSet>

namespace nav::queue {

bool isLoadedModel(const QString &loaded, const QString &wanted) {
    return !loaded.isEmpty() && (loaded == wanted || loaded.startsWith(wanted + QLatin1Char('.')) ||
                                 loaded.startsWith(wanted + QStringLiteral(" [")));
}

int Scheduler::pick(const QList<store::Job> &queued, const QString &loadedModel) const {
    int best = -1;
    quint64 bestServed = 0;
    bool bestAffine = false;
    QSet<QString> seenOwners;
    for (int i = 0; i < queued.size(); ++i) {
        const store::Job &job = queued[i];
        if (seenOwners.contains(job.ownerId))
            continue; // only each owner's oldest job competes
        seenOwners.insert(job.ownerId);
        const quint64 served = m_lastServed.value(job.ownerId, 0);
        const bool affine = isLoadedModel(loadedModel, job.modelName);
        const bool better =
            best < 0 || served < bestServed || (served == bestServed && affine && !bestAffine);
        if (better) {
            best = i;
            bestServed = served;
            bestAffine = affine;
        }
    }
    return best;
}

void Scheduler::served(const QString &ownerId) {
    m_lastServed.insert(ownerId, ++m_serial);
}

} // namespace nav::queue
