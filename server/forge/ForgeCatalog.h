#pragma once
// Cached lookups over one Forge backend: the lists a client needs before it builds a request. Samplers,
// schedulers, upscalers and modules rarely change, so they are kept for a while (CATALOG_CACHE_TTL);
// checkpoints, LoRAs and embeddings are read fresh. Concurrent requests for the same list share one Forge
// call. The refresh calls clear the cache.
#include "server/forge/ForgeClient.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace nav::forge {

using ListCallback = std::function<void(const QJsonArray &list, const std::optional<ForgeError> &error)>;
using DoneCallback = std::function<void(const std::optional<ForgeError> &error)>;

class ForgeCatalog final : public QObject {
    Q_OBJECT
public:
    ForgeCatalog(ForgeClient *client, qint64 cacheTtlMs, QObject *parent = nullptr);

    void samplers(ListCallback done) { fetch(QStringLiteral("/samplers"), true, std::move(done)); }
    void schedulers(ListCallback done) { fetch(QStringLiteral("/schedulers"), true, std::move(done)); }
    void upscalers(ListCallback done) { fetch(QStringLiteral("/upscalers"), true, std::move(done)); }
    void modules(ListCallback done) { fetch(QStringLiteral("/sd-modules"), true, std::move(done)); }
    void checkpoints(ListCallback done) { fetch(QStringLiteral("/sd-models"), false, std::move(done)); }
    // The checkpoint list from the cache when it is recent (any fresh read above refreshes the cache too);
    // for cheap checks on every submission.
    void cachedCheckpoints(ListCallback done) { fetch(QStringLiteral("/sd-models"), true, std::move(done)); }
    void loras(ListCallback done) { fetch(QStringLiteral("/loras"), false, std::move(done)); }
    // The names of the loaded embeddings (the keys of /embeddings "loaded").
    void embeddingNames(ListCallback done) { fetch(QStringLiteral("/embeddings"), false, std::move(done)); }

    // POSTs the given refresh endpoints one after the other ("refresh-checkpoints", "refresh-loras",
    // "refresh-embeddings") and clears the cache. `done` gets the first error, if any; the rest still run.
    void refresh(const QStringList &endpoints, DoneCallback done);
    void invalidate();
    // With several backends: the checkpoints the other backends offer, merged into checkpoints() (by title)
    // so /api/models lists the union.
    void setExtraCheckpoints(std::function<QJsonArray()> extra) { m_extraCheckpoints = std::move(extra); }

    static constexpr int kRefreshTimeoutMs = 120'000; // refresh-checkpoints waits for Forge's queue lock

private:
    struct Entry {
        QJsonArray value;
        qint64 fetchedAt = -1;                              // -1: nothing cached
        std::shared_ptr<std::vector<ListCallback>> waiters; // set while a call is in flight
    };
    void fetch(const QString &path, bool cacheable, ListCallback done);
    void refreshNext(QStringList endpoints, std::optional<ForgeError> firstError, DoneCallback done);

    ForgeClient *m_client;
    qint64 m_ttlMs;
    quint64 m_generation = 0; // bumped by invalidate(); answers from older calls are not cached
    QHash<QString, Entry> m_entries;
    std::function<QJsonArray()> m_extraCheckpoints;
};

} // namespace nav::forge
