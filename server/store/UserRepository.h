#pragma once
// The users table (id BIGINT Discord id, role, created_at, updated_at): roles for the auth guard and the
// admin API. Ids are passed as decimal strings (JSON cannot carry 64-bit integers exactly).
#include "server/store/Database.h"

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QString>

#include <optional>

namespace nav::store {

struct UserRecord {
    QString id;
    int role = 0;
    QDateTime createdAt; // UTC; invalid when the column is NULL
    QDateTime updatedAt;
    qint64 imageCount = 0;
    // From the Discord profile of the last login (empty/invalid when the user never logged in since v10).
    QString username;
    QString globalName;
    QString avatar;
    QDateTime lastLoginAt;
    QString displayName() const { return globalName.isEmpty() ? username : globalName; }
};

struct UserPage {
    qint64 total = 0;
    QList<UserRecord> users;
};

class UserRepository final {
public:
    explicit UserRepository(Database &db) : m_db(db) {}

    // The current role of `id`, or nullopt for a user the table does not know. As in the original, an
    // unknown id that already owns images is added as an apprentice (role 1) on the way.
    QFuture<std::optional<int>> resolveRole(const QString &id);
    QFuture<std::optional<UserRecord>> find(const QString &id);
    // The roles of several users at once, by resolveRole's rule (an id without a row that owns images counts
    // as role 1); ids that are neither are absent from the answer.
    QFuture<QHash<QString, int>> roles(const QStringList &ids);
    // Newest first, with each user's image count.
    QFuture<UserPage> list(int offset, int limit);
    // Inserts or updates the user's role and returns the role stored. Called through
    // auth::UserAdministration only, which tells the auth guard's role cache. With firstBecomesApex, the
    // first user to get a role above 0 (no such user yet) becomes apex instead, in the same transaction.
    QFuture<int> setRole(const QString &id, int role, bool firstBecomesApex);

private:
    Database &m_db;
};

} // namespace nav::store
