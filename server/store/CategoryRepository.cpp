#include "server/store/CategoryRepository.h"

namespace nav::store {

namespace {

bool owned(QSqlDatabase &db, qint64 id, const QString &ownerId) {
    return exec(db, QStringLiteral("SELECT 1 FROM image_categories WHERE id = ? AND owner_id = ?"),
                {id, ownerId})
        .next();
}

} // namespace

QFuture<QList<CategoryRecord>> CategoryRepository::listByOwner(const QString &ownerId) {
    return m_db.run<QList<CategoryRecord>>([ownerId](QSqlDatabase &db) {
        QList<CategoryRecord> list;
        QSqlQuery query =
            exec(db,
                 QStringLiteral(
                     "SELECT id, owner_id, name64 FROM image_categories WHERE owner_id = ? ORDER BY id"),
                 {ownerId});
        while (query.next())
            list.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString()});
        return list;
    });
}

QFuture<qint64> CategoryRepository::create(const QString &ownerId, const QString &name64) {
    return m_db.run<qint64>([ownerId, name64](QSqlDatabase &db) {
        QSqlQuery query =
            exec(db, QStringLiteral("INSERT INTO image_categories (owner_id, name64) VALUES (?, ?)"),
                 {ownerId, name64});
        return query.lastInsertId().toLongLong();
    });
}

QFuture<bool> CategoryRepository::rename(qint64 id, const QString &ownerId, const QString &name64) {
    // Checked first: MariaDB counts only changed rows, so a rename to the same name would look like a miss.
    return m_db.run<bool>([id, ownerId, name64](QSqlDatabase &db) {
        return transaction<bool>(db, [&](QSqlDatabase &) {
            if (!owned(db, id, ownerId))
                return false;
            exec(db, QStringLiteral("UPDATE image_categories SET name64 = ? WHERE id = ? AND owner_id = ?"),
                 {name64, id, ownerId});
            return true;
        });
    });
}

QFuture<bool> CategoryRepository::remove(qint64 id, const QString &ownerId) {
    return m_db.run<bool>([id, ownerId](QSqlDatabase &db) {
        return transaction<bool>(db, [&](QSqlDatabase &) {
            if (!owned(db, id, ownerId))
                return false;
            // The MariaDB schema does this through its foreign key; SQLite may run without foreign keys.
            exec(db, QStringLiteral("UPDATE images SET category_id = NULL WHERE category_id = ?"), {id});
            exec(db, QStringLiteral("DELETE FROM image_categories WHERE id = ? AND owner_id = ?"),
                 {id, ownerId});
            return true;
        });
    });
}

QFuture<bool> CategoryRepository::isOwnedBy(qint64 id, const QString &ownerId) {
    return m_db.run<bool>([id, ownerId](QSqlDatabase &db) { return owned(db, id, ownerId); });
}

} // namespace nav::store
