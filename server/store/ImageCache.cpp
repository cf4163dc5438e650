#include "server/store/ImageCache.h"

#include <QCryptographicHash>

namespace nav::store {

namespace {

// Bookkeeping per entry besides the PNG itself (list node, hash node, id, ETag), roughly.
constexpr qint64 kEntryOverhead = 160;

} // namespace

QByteArray imageEtag(const QByteArray &png) {
    return '"' + QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex().left(32) + '"';
}

std::optional<CachedImage> ImageCache::find(const QString &id) {
    QMutexLocker lock(&m_mutex);
    const auto it = m_index.constFind(id);
    if (it == m_index.constEnd())
        return std::nullopt;
    m_lru.splice(m_lru.begin(), m_lru, *it);
    return (*it)->image;
}

quint64 ImageCache::generation() const {
    QMutexLocker lock(&m_mutex);
    return m_generation;
}

void ImageCache::insert(const QString &id, const CachedImage &image, std::optional<quint64> seenGeneration) {
    const qint64 cost = image.png.size() + id.size() * 2 + kEntryOverhead;
    QMutexLocker lock(&m_mutex);
    if (seenGeneration && *seenGeneration != m_generation)
        return; // something was deleted or rewritten while this image was read: it may be stale
    if (const auto it = m_index.constFind(id); it != m_index.constEnd()) {
        m_bytes -= (*it)->cost;
        m_lru.erase(*it);
        m_index.erase(it);
    }
    if (cost > m_maxBytes)
        return; // larger than the whole budget (or the cache is off): serve it uncached
    m_lru.push_front(Entry{id, image, cost});
    m_index.insert(id, m_lru.begin());
    m_bytes += cost;
    evictLocked();
}

void ImageCache::invalidate(const QString &id) {
    QMutexLocker lock(&m_mutex);
    ++m_generation;
    if (const auto it = m_index.constFind(id); it != m_index.constEnd()) {
        m_bytes -= (*it)->cost;
        m_lru.erase(*it);
        m_index.erase(it);
    }
}

void ImageCache::evictLocked() {
    while (m_bytes > m_maxBytes && !m_lru.empty()) {
        m_bytes -= m_lru.back().cost;
        m_index.remove(m_lru.back().id);
        m_lru.pop_back();
    }
}

qint64 ImageCache::bytes() const {
    QMutexLocker lock(&m_mutex);
    return m_bytes;
}

int ImageCache::count() const {
    QMutexLocker lock(&m_mutex);
    return static_cast<int>(m_index.size());
}

} // namespace nav::store
