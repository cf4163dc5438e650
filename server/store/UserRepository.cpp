#include "server/store/UserRepository.h"

#include "server/store/SqlTime.h"

namespace nav::store {

namespace {

// users.id is a BIGINT; ids that are not decimal numbers (demo_user, ...) are never in the table.
std::optional<qlonglong> numericId(const QString &id) {
    bool ok = false;
    const qlonglong value = id.toLongLong(&ok);
    if (!ok || value <= 0 || QString::number(value) != id)
        return std::nullopt;
    return value;
}

// images.owner_id is text: compare it with the id as text, never as a number (doubles lose digits).
const QString kUserColumns =
    QStringLiteral("u.id, u.role, u.created_at, u.updated_at, "
                   "(SELECT COUNT(*) FROM images i WHERE i.owner_id = CAST(u.id AS CHAR)) AS image_count, "
                   "p.username, p.global_name, p.avatar, p.last_login_at");
// The Discord profile stored at the user's last login (migration v11), when there is one.
const QString kUsersWithProfiles =
    QStringLiteral("users u LEFT JOIN discord_profiles p ON p.discord_id = CAST(u.id AS CHAR)");

UserRecord readUser(const QSqlQuery &query) {
    UserRecord user;
    user.id = query.value(0).toString();
    user.role = query.value(1).toInt();
    user.createdAt = utcDateTime(query.value(2));
    user.updatedAt = utcDateTime(query.value(3));
    user.imageCount = query.value(4).toLongLong();
    user.username = query.value(5).toString();
    user.globalName = query.value(6).toString();
    user.avatar = query.value(7).toString();
    user.lastLoginAt = utcDateTime(query.value(8));
    return user;
}

} // namespace

QFuture<std::optional<int>> UserRepository::resolveRole(const QString &id) {
    const auto key = numericId(id);
    if (!key)
        return QtFuture::makeReadyFuture(std::optional<int>());
    const bool mysql = m_db.dialect() == QLatin1String("mysql");
    return m_db.run<std::optional<int>>([id, key = *key, mysql](QSqlDatabase &db) -> std::optional<int> {
        const QString select = QStringLiteral("SELECT role FROM users WHERE id = ?");
        QSqlQuery found = exec(db, select, {key});
        if (found.next())
            return found.value(0).toInt();
        // The original's rule: someone who already owns images was a user before roles existed.
        QSqlQuery owns = exec(db, QStringLiteral("SELECT 1 FROM images WHERE owner_id = ? LIMIT 1"), {id});
        if (!owns.next())
            return std::nullopt;
        // IGNORE: a concurrent request may have added the same user a moment ago.
        exec(db,
             mysql ? QStringLiteral("INSERT IGNORE INTO users (id, role) VALUES (?, 1)")
                   : QStringLiteral("INSERT OR IGNORE INTO users (id, role) VALUES (?, 1)"),
             {key});
        QSqlQuery added = exec(db, select, {key});
        return added.next() ? std::optional<int>(added.value(0).toInt()) : std::nullopt;
    });
}

QFuture<QHash<QString, int>> UserRepository::roles(const QStringList &ids) {
    QVariantList keys;
    QStringList valid;
    for (const QString &id : ids)
        if (const auto key = numericId(id)) {
            keys << *key;
            valid << id;
        }
    if (valid.isEmpty())
        return QtFuture::makeReadyFuture(QHash<QString, int>());
    return m_db.run<QHash<QString, int>>([keys, valid](QSqlDatabase &db) {
        const QString marks = QStringList(valid.size(), QStringLiteral("?")).join(QLatin1Char(','));
        QHash<QString, int> roles;
        QSqlQuery rows =
            exec(db, QStringLiteral("SELECT id, role FROM users WHERE id IN (%1)").arg(marks), keys);
        while (rows.next())
            roles.insert(rows.value(0).toString(), rows.value(1).toInt());
        QVariantList unknown;
        for (const QString &id : valid)
            if (!roles.contains(id))
                unknown << id;
        if (!unknown.isEmpty()) {
            QSqlQuery owners =
                exec(db,
                     QStringLiteral("SELECT DISTINCT owner_id FROM images WHERE owner_id IN (%1)")
                         .arg(QStringList(unknown.size(), QStringLiteral("?")).join(',')),
                     unknown);
            while (owners.next())
                roles.insert(owners.value(0).toString(), 1);
        }
        return roles;
    });
}

QFuture<std::optional<UserRecord>> UserRepository::find(const QString &id) {
    const auto key = numericId(id);
    if (!key)
        return QtFuture::makeReadyFuture(std::optional<UserRecord>());
    return m_db.run<std::optional<UserRecord>>([key = *key](QSqlDatabase &db) -> std::optional<UserRecord> {
        QSqlQuery query =
            exec(db, QStringLiteral("SELECT %1 FROM %2 WHERE u.id = ?").arg(kUserColumns, kUsersWithProfiles),
                 {key});
        if (!query.next())
            return std::nullopt;
        return readUser(query);
    });
}

QFuture<UserPage> UserRepository::list(int offset, int limit) {
    return m_db.run<UserPage>([offset, limit](QSqlDatabase &db) {
        UserPage page;
        QSqlQuery count = exec(db, QStringLiteral("SELECT COUNT(*) FROM users"));
        if (count.next())
            page.total = count.value(0).toLongLong();
        QSqlQuery query =
            exec(db,
                 QStringLiteral("SELECT %1 FROM %2 ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?")
                     .arg(kUserColumns, kUsersWithProfiles),
                 {limit, offset});
        while (query.next())
            page.users.append(readUser(query));
        return page;
    });
}

QFuture<int> UserRepository::setRole(const QString &id, int role, bool firstBecomesApex) {
    const auto key = numericId(id);
    if (!key)
        return QtFuture::makeExceptionalFuture<int>(DbError(QStringLiteral("not a numeric user id: ") + id));
    const bool mysql = m_db.dialect() == QLatin1String("mysql");
    return m_db.run<int>([key = *key, role, firstBecomesApex, mysql](QSqlDatabase &db) {
        return transaction<int>(db, [&](QSqlDatabase &) {
            int stored = role;
            if (firstBecomesApex && role > 0) {
                QSqlQuery anyone = exec(db, QStringLiteral("SELECT 1 FROM users WHERE role > 0 LIMIT 1"));
                if (!anyone.next())
                    stored = 4; // the first user ever authorized is the apex user
            }
            exec(db,
                 mysql
                     ? QStringLiteral("INSERT INTO users (id, role) VALUES (?, ?) ON DUPLICATE KEY UPDATE "
                                      "role = VALUES(role), updated_at = CURRENT_TIMESTAMP")
                     : QStringLiteral("INSERT INTO users (id, role) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
                                      "SET role = excluded.role, updated_at = CURRENT_TIMESTAMP"),
                 {key, stored});
            return stored;
        });
    });
}

} // namespace nav::store
