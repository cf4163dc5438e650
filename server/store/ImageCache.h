#pragma once
// Finished images, decoded, with their ETags, kept in memory up to a byte budget (IMAGE_CACHE_MB), least
// recently used out first. GET /api/images/:id answers from here without a database round trip, a base64
// decode or a hash; a 304 does not touch the bytes at all. Entries are filled off the event loop (by the
// database worker that wrote or first read the image) and looked up on it, so every member locks.
//
// Staleness: an image is written once and never changes, but it can be deleted, and its id can in theory be
// written again. Writers call invalidate() after their commit; a reader that loaded an image before such a
// commit passes the generation it saw to insert(), which then refuses it (see insert()).
#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <list>
#include <optional>

namespace nav::store {

struct CachedImage {
    QByteArray png;
    QByteArray etag; // quoted, ready for the ETag header
};

// The ETag of a PNG: the first 128 bits of its SHA-256, hex, quoted. Costs a hash of the whole image; call it
// off the event loop.
QByteArray imageEtag(const QByteArray &png);

class ImageCache final {
public:
    explicit ImageCache(qint64 maxBytes) : m_maxBytes(maxBytes) {}

    std::optional<CachedImage> find(const QString &id);
    // The generation to pass to insert() by a reader that is about to load an image from the database.
    quint64 generation() const;
    // Adds or replaces an image. `seenGeneration` (from generation() before the read) makes the insert a
    // no-op if any invalidate() came in between; writers that just committed the bytes pass nullopt.
    void insert(const QString &id, const CachedImage &image, std::optional<quint64> seenGeneration);
    // Drops the image (it was deleted or rewritten) and fences off reads that started before.
    void invalidate(const QString &id);

    qint64 bytes() const;
    int count() const;
    qint64 maxBytes() const { return m_maxBytes; }

private:
    struct Entry {
        QString id;
        CachedImage image;
        qint64 cost;
    };
    void evictLocked();

    const qint64 m_maxBytes;
    mutable QMutex m_mutex;
    std::list<Entry> m_lru; // most recently used first
    QHash<QString, std::list<Entry>::iterator> m_index;
    qint64 m_bytes = 0;
    quint64 m_generation = 0;
};

} // namespace nav::store
