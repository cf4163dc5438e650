#include "server/store/ImageRepository.h"

#include "server/store/SqlTime.h"

namespace nav::store {

namespace {

std::optional<qint64> optionalId(const QVariant &value) {
    return value.isNull() ? std::nullopt : std::optional<qint64>(value.toLongLong());
}

} // namespace

QFuture<ImagePage> ImageRepository::listByOwner(const QString &ownerId, std::optional<qint64> categoryId,
                                                int offset, int limit) {
    return m_db.run<ImagePage>([ownerId, categoryId, offset, limit](QSqlDatabase &db) {
        const QString filter = categoryId ? QStringLiteral(" AND category_id = ?") : QString();
        QVariantList values{ownerId};
        if (categoryId)
            values.append(*categoryId);
        ImagePage page;
        QSqlQuery count =
            exec(db, QStringLiteral("SELECT COUNT(*) FROM images WHERE owner_id = ?") + filter, values);
        if (count.next())
            page.total = count.value(0).toLongLong();
        values << limit << offset;
        QSqlQuery query =
            exec(db,
                 QStringLiteral("SELECT id, category_id FROM images WHERE owner_id = ?") + filter +
                     QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"),
                 values);
        while (query.next())
            page.images.append({query.value(0).toString(), optionalId(query.value(1))});
        return page;
    });
}

QFuture<std::optional<ImageMeta>> ImageRepository::meta(const QString &imageId) {
    return m_db.run<std::optional<ImageMeta>>([imageId](QSqlDatabase &db) -> std::optional<ImageMeta> {
        QSqlQuery query = exec(
            db,
            QStringLiteral("SELECT owner_id, category_id, created_at, message_id FROM images WHERE id = ?"),
            {imageId});
        if (!query.next())
            return std::nullopt;
        ImageMeta meta;
        meta.ownerId = query.value(0).toString();
        meta.categoryId = optionalId(query.value(1));
        meta.createdAt = utcDateTime(query.value(2));
        if (!query.value(3).isNull())
            meta.messageId = query.value(3).toString();
        return meta;
    });
}

QFuture<bool> ImageRepository::removeOwned(const QString &imageId, const QString &ownerId) {
    ImageCache *cache = m_imageCache;
    return m_db.run<bool>([imageId, ownerId, cache](QSqlDatabase &db) {
        QSqlQuery query =
            exec(db, QStringLiteral("DELETE FROM images WHERE id = ? AND owner_id = ?"), {imageId, ownerId});
        const bool deleted = query.numRowsAffected() > 0;
        if (deleted && cache)
            cache->invalidate(imageId); // after the commit, so no read that saw the row can re-add it
        return deleted;
    });
}

QFuture<CategorizeResult> ImageRepository::setCategory(const QString &imageId, const QString &ownerId,
                                                       std::optional<qint64> categoryId) {
    return m_db.run<CategorizeResult>([imageId, ownerId, categoryId](QSqlDatabase &db) {
        return transaction<CategorizeResult>(db, [&](QSqlDatabase &) {
            QSqlQuery image = exec(db, QStringLiteral("SELECT owner_id FROM images WHERE id = ?"), {imageId});
            if (!image.next())
                return CategorizeResult::ImageNotFound;
            if (image.value(0).toString() != ownerId)
                return CategorizeResult::ImageNotOwned;
            if (categoryId &&
                !exec(db, QStringLiteral("SELECT 1 FROM image_categories WHERE id = ? AND owner_id = ?"),
                      {*categoryId, ownerId})
                     .next())
                return CategorizeResult::CategoryNotOwned;
            exec(db, QStringLiteral("UPDATE images SET category_id = ? WHERE id = ? AND owner_id = ?"),
                 {categoryId ? QVariant(*categoryId) : QVariant(QMetaType::fromType<qlonglong>()), imageId,
                  ownerId});
            return CategorizeResult::Done;
        });
    });
}

} // namespace nav::store
