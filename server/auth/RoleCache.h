#pragma once
// The auth guard's short memory of users' roles. Every authenticated request (each job submission, each
// socket.io connect) needs the caller's role; reading it from the database each time costs a worker-thread
// round trip per request. A role read here is trusted for AUTH_ROLE_CACHE_MS (0: never kept).
//
// Freshness: Navigator's own role changes call invalidate() once they are written, so through its API a
// change applies to the very next request. Changes behind its back (SQL, another process on a shared
// database) apply within the TTL. A lookup that fails is never kept, nor is one that began before an
// invalidate(): its answer may predate the change. Lookups of one id that overlap share one database read. At
// most `capacity` ids are kept; beyond that expired ones go first, then the oldest. Event-loop thread only.
//
// Read ahead: a role that answered a request while it was kept is read again a tenth of the TTL before it
// expires, so a user who keeps sending requests (a bot submitting a job each time the last one finished)
// never waits for the database here. A role nobody asked for during its TTL is not read again. Every answer
// still comes from a read at most one TTL old.
#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>

#include <exception>
#include <functional>
#include <memory>
#include <optional>

namespace nav::auth {

// The current role of a Discord id, read from the users table (nullopt: no such user). The future may fail
// with an exception (database error).
using RoleLookup = std::function<QFuture<std::optional<int>>(const QString &discordId)>;

class RoleCache final : public QObject {
    Q_OBJECT
public:
    struct Answer {
        std::optional<int> role;  // nullopt: no such user (or the lookup failed)
        std::exception_ptr error; // the lookup's exception when it failed
    };
    using Callback = std::function<void(const Answer &)>;
    using Clock = std::function<qint64()>; // monotonic milliseconds
    static constexpr qsizetype kDefaultCapacity = 10'000;

    RoleCache(RoleLookup lookup, qint64 ttlMs, qsizetype capacity = kDefaultCapacity, Clock clock = {},
              QObject *parent = nullptr);

    // Calls `done` with the role of `id`: at once when a fresh one is kept, else when the lookup ends.
    void fetch(const QString &id, Callback done);
    // The role of `id` changed or may have: forget it, and keep no answer of a lookup begun before now.
    void invalidate(const QString &id);

    qsizetype size() const { return m_entries.size(); }
    // Starts the read-ahead of every used role whose time has come; a timer calls it (tests call it too).
    void refreshDue();

private:
    struct Entry {
        std::optional<int> role;
        qint64 expiresAt;
        bool used; // answered a request since it was read
    };
    struct Pending {
        quint64 generation; // m_generation when the lookup began
        QList<Callback> waiters;
    };
    qint64 now() const { return m_clock ? m_clock() : m_elapsed.elapsed(); }
    void lookUp(const QString &id, std::shared_ptr<Pending> pending);
    void finish(const QString &id, const std::shared_ptr<Pending> &pending, const Answer &answer);
    void keep(const QString &id, std::optional<int> role, bool used);
    void makeRoom();
    void armRefresh();

    RoleLookup m_lookup;
    qint64 m_ttlMs;
    qsizetype m_capacity;
    Clock m_clock;
    QElapsedTimer m_elapsed;
    QHash<QString, Entry> m_entries;
    QHash<QString, std::shared_ptr<Pending>> m_pending;
    quint64 m_generation = 0; // bumped by every invalidate()
    // (expiresAt, id) of every entry kept, oldest first: with one TTL for all, also in order of expiry.
    std::deque<std::pair<qint64, QString>> m_expiries;
    QTimer m_refreshTimer;
};

} // namespace nav::auth
