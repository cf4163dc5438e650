#include "server/auth/RoleCache.h"

#include <algorithm>
#include <utility>

namespace nav::auth {

RoleCache::RoleCache(RoleLookup lookup, qint64 ttlMs, qsizetype capacity, Clock clock, QObject *parent)
    : QObject(parent), m_lookup(std::move(lookup)), m_ttlMs(ttlMs), m_capacity(qMax<qsizetype>(1, capacity)),
      m_clock(std::move(clock)) {
    m_elapsed.start();
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RoleCache::refreshDue);
}

void RoleCache::fetch(const QString &id, Callback done) {
    if (m_ttlMs <= 0) // caching off: every request reads the database, as it did before the cache
        return lookUp(id, std::make_shared<Pending>(Pending{m_generation, {std::move(done)}}));
    const auto kept = m_entries.find(id);
    if (kept != m_entries.end()) {
        if (kept->expiresAt > now()) {
            kept->used = true;
            return done(Answer{kept->role, {}});
        }
        m_entries.erase(kept);
    }
    if (const auto running = m_pending.constFind(id); running != m_pending.constEnd()) {
        (*running)->waiters.append(std::move(done));
        return;
    }
    const auto pending = std::make_shared<Pending>(Pending{m_generation, {std::move(done)}});
    m_pending.insert(id, pending);
    lookUp(id, pending);
}

void RoleCache::invalidate(const QString &id) {
    ++m_generation;
    m_entries.remove(id);
    // Requests from now on start a lookup of their own; those already waiting get the older one's answer.
    m_pending.remove(id);
}

void RoleCache::lookUp(const QString &id, std::shared_ptr<Pending> pending) {
    m_lookup(id)
        .then(this,
              [this, id, pending](const std::optional<int> &role) {
                  // A read ahead nobody waited for is not "used": unless a request comes, it is the last.
                  if (m_ttlMs > 0 && pending->generation == m_generation)
                      keep(id, role, !pending->waiters.isEmpty());
                  finish(id, pending, Answer{role, {}});
              })
        .onFailed(this, [this, id, pending] {
            finish(id, pending, Answer{std::nullopt, std::current_exception()});
        });
}

void RoleCache::finish(const QString &id, const std::shared_ptr<Pending> &pending, const Answer &answer) {
    if (const auto it = m_pending.constFind(id); it != m_pending.constEnd() && *it == pending)
        m_pending.erase(it);
    // Taken out first: each waiter is answered once even if one of them throws.
    const QList<Callback> waiters = std::exchange(pending->waiters, {});
    for (const Callback &waiter : waiters)
        waiter(answer);
}

void RoleCache::keep(const QString &id, std::optional<int> role, bool used) {
    if (m_entries.size() >= m_capacity && !m_entries.contains(id))
        makeRoom();
    const qint64 expiresAt = now() + m_ttlMs;
    m_entries.insert(id, Entry{role, expiresAt, used});
    m_expiries.emplace_back(expiresAt, id);
    if (!m_refreshTimer.isActive())
        armRefresh();
}

void RoleCache::refreshDue() {
    const qint64 lead = m_ttlMs / 10;
    const qint64 at = now();
    while (!m_expiries.empty() && m_expiries.front().first - lead <= at) {
        const auto [expiresAt, id] = m_expiries.front();
        m_expiries.pop_front();
        const auto entry = m_entries.constFind(id);
        // Gone or replaced since (invalidated, dropped for room, read again), or unused: nothing to do.
        if (entry == m_entries.constEnd() || entry->expiresAt != expiresAt || !entry->used ||
            m_pending.contains(id))
            continue;
        const auto pending = std::make_shared<Pending>(Pending{m_generation, {}});
        m_pending.insert(id, pending);
        lookUp(id, pending);
    }
    armRefresh();
}

void RoleCache::armRefresh() {
    if (m_expiries.empty()) {
        m_refreshTimer.stop();
        return;
    }
    const qint64 due = m_expiries.front().first - m_ttlMs / 10;
    m_refreshTimer.start(static_cast<int>(qBound<qint64>(0, due - now(), 24LL * 3600 * 1000)));
}

void RoleCache::makeRoom() {
    using Iterator = QHash<QString, Entry>::iterator;
    const qint64 at = now();
    m_entries.removeIf([at](Iterator it) { return it->expiresAt <= at; });
    if (m_entries.size() < m_capacity)
        return;
    // Every entry is fresh: drop the oldest quarter at once, so this scan runs once per capacity / 4 new ids.
    QList<qint64> expiries;
    expiries.reserve(m_entries.size());
    for (const Entry &entry : std::as_const(m_entries))
        expiries.append(entry.expiresAt);
    const auto cut = expiries.begin() + expiries.size() / 4;
    std::nth_element(expiries.begin(), cut, expiries.end());
    const qint64 newestDropped = *cut;
    m_entries.removeIf([newestDropped](Iterator it) { return it->expiresAt <= newestDropped; });
}

} // namespace nav::auth
