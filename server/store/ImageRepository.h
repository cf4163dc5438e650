#pragma once
// The images table. Reading, listing, deleting and categorizing (the user API); the job pipeline adds the
// functions that write images.
#include "server/store/Database.h"
#include "server/store/ImageCache.h"

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QString>

#include <optional>

namespace nav::store {

struct ImageListItem {
    QString id;
    std::optional<qint64> categoryId;
};

struct ImagePage {
    qint64 total = 0; // all of the owner's images that match the filter
    QList<ImageListItem> images;
};

struct ImageMeta {
    QString ownerId;
    std::optional<qint64> categoryId;
    QDateTime createdAt; // UTC
    std::optional<QString> messageId;
};

enum class CategorizeResult { Done, ImageNotFound, ImageNotOwned, CategoryNotOwned };

class ImageRepository final {
public:
    // `imageCache` (optional): deleted images leave it.
    explicit ImageRepository(Database &db, ImageCache *imageCache = nullptr)
        : m_db(db), m_imageCache(imageCache) {}

    // The owner's images, newest first, optionally only those in one category.
    QFuture<ImagePage> listByOwner(const QString &ownerId, std::optional<qint64> categoryId, int offset,
                                   int limit);
    QFuture<std::optional<ImageMeta>> meta(const QString &imageId);
    // Deletes the image if `ownerId` owns it; false otherwise.
    QFuture<bool> removeOwned(const QString &imageId, const QString &ownerId);
    // Puts the owner's image into one of the owner's categories (nullopt: none), checking both in one go.
    QFuture<CategorizeResult> setCategory(const QString &imageId, const QString &ownerId,
                                          std::optional<qint64> categoryId);

private:
    Database &m_db;
    ImageCache *m_imageCache;
};

} // namespace nav::store
