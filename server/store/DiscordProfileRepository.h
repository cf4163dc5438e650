#pragma once
// The discord_profiles table (migration v11, ours): one row per Discord id with what Discord returned at the
// last login (username, global name, avatar hash) and, for a login refused because the id has no role, the
// access request (status pending/approved/denied, attempts, first and last attempt). Requests of unknown ids
// are capped in total; the oldest undecided or denied ones are pruned first.
#include "server/store/Database.h"

#include <QDateTime>
#include <QFuture>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace nav::store {

struct DiscordProfile {
    QString id;
    QString username;
    QString globalName;
    QString avatar; // Discord's avatar hash, empty when the user has none
    // Display name: the global name, else the username, else empty.
    QString displayName() const { return globalName.isEmpty() ? username : globalName; }
};

struct AccessRequest {
    DiscordProfile profile;
    QString status; // pending, approved, denied
    int attempts = 0;
    int refusedLogins = 0;
    QDateTime firstAttemptAt; // UTC
    QDateTime lastAttemptAt;
    QDateTime lastLoginAt;
    QDateTime decidedAt;
    QString decidedBy;
};

struct AccessRequestPage {
    qint64 total = 0;
    QList<AccessRequest> requests;
};

// What recording a refused login did.
struct RefusalRecorded {
    AccessRequest request;
    bool isNew = false; // a pending request appeared (or came back after approval was withdrawn)
};

class DiscordProfileRepository final {
public:
    explicit DiscordProfileRepository(Database &db) : m_db(db) {}

    // A successful login: stores the profile and last_login_at; an open request of that id is approved.
    QFuture<void> recordLogin(const DiscordProfile &profile);
    // A login refused because the id has no role: stores the profile and opens (or counts a retry of) the
    // request, then prunes the oldest pending/denied requests beyond `maxRequests`.
    QFuture<RefusalRecorded> recordUnknownRefusal(const DiscordProfile &profile, int maxRequests);
    // A login refused because the user is disabled: stores the profile and counts it, never a request.
    QFuture<void> recordDisabledRefusal(const DiscordProfile &profile);

    // Requests with `status` (any status when empty), the latest attempt first.
    QFuture<AccessRequestPage> listRequests(const QString &status, int offset, int limit);
    QFuture<std::optional<AccessRequest>> findRequest(const QString &id);
    // Sets the request of `id` to `status` (approved or denied) when its current status is one of `from`
    // (any status when empty); false when there is no such request.
    QFuture<bool> decide(const QString &id, const QString &status, const QString &decidedBy,
                         const QStringList &from = {});
    // Display names of the given ids (ids without a profile or name are left out).
    QFuture<QHash<QString, QString>> displayNames(const QStringList &ids);

    // Fixed names for the ids that never log in through Discord.
    static QString fixedName(const QString &id);

private:
    Database &m_db;
};

} // namespace nav::store
