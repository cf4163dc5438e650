#pragma once
// The image_categories table (id, name64 = base64 of the UTF-8 name, owner_id). Every call is scoped to an
// owner: another user's category behaves as if it did not exist.
#include "server/store/Database.h"

#include <QFuture>
#include <QList>
#include <QString>

namespace nav::store {

struct CategoryRecord {
    qint64 id = 0;
    QString ownerId;
    QString name64;
};

class CategoryRepository final {
public:
    explicit CategoryRepository(Database &db) : m_db(db) {}

    QFuture<QList<CategoryRecord>> listByOwner(const QString &ownerId);
    QFuture<qint64> create(const QString &ownerId, const QString &name64);          // the new id
    QFuture<bool> rename(qint64 id, const QString &ownerId, const QString &name64); // false: not found/owned
    // Deletes the category and uncategorizes its images; false when it is not found or not owned.
    QFuture<bool> remove(qint64 id, const QString &ownerId);
    QFuture<bool> isOwnedBy(qint64 id, const QString &ownerId);

private:
    Database &m_db;
};

} // namespace nav::store
