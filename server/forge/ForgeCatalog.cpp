#include "server/forge/ForgeCatalog.h"

#include <QDateTime>
#include <QJsonObject>

namespace nav::forge {

namespace {

// /embeddings answers {"loaded": {name: {...}}, "skipped": {...}}; the others answer arrays.
std::optional<QJsonArray> listFrom(const QString &path, const QJsonDocument &body) {
    if (path == QLatin1String("/embeddings")) {
        if (!body.isObject())
            return std::nullopt;
        QJsonArray names;
        for (const QString &name : body.object().value("loaded").toObject().keys())
            names.append(name);
        return names;
    }
    if (!body.isArray())
        return std::nullopt;
    return body.array();
}

} // namespace

ForgeCatalog::ForgeCatalog(ForgeClient *client, qint64 cacheTtlMs, QObject *parent)
    : QObject(parent), m_client(client), m_ttlMs(cacheTtlMs) {}

void ForgeCatalog::fetch(const QString &path, bool cacheable, ListCallback done) {
    Entry &entry = m_entries[path];
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (cacheable && entry.fetchedAt >= 0 && now - entry.fetchedAt < m_ttlMs) {
        done(entry.value, std::nullopt);
        return;
    }
    if (entry.waiters) { // a call is already on its way
        entry.waiters->push_back(std::move(done));
        return;
    }
    auto waiters = std::make_shared<std::vector<ListCallback>>();
    waiters->push_back(std::move(done));
    entry.waiters = waiters;
    const quint64 generation = m_generation;
    m_client->get(path, [this, path, waiters, generation](const QJsonDocument &body,
                                                          const std::optional<ForgeError> &error) {
        std::optional<ForgeError> failure = error;
        QJsonArray list;
        if (!failure) {
            if (auto parsed = listFrom(path, body))
                list = *parsed;
            else
                failure = ForgeError{QStringLiteral("EBADRESPONSE"),
                                     QStringLiteral("Forge sent an unexpected answer for %1").arg(path), 200,
                                     false};
        }
        if (generation == m_generation) {
            Entry &entry = m_entries[path];
            entry.waiters.reset();
            if (!failure) { // a fresh read also serves later cached reads
                entry.value = list;
                entry.fetchedAt = QDateTime::currentMSecsSinceEpoch();
            }
        }
        for (const ListCallback &callback : *waiters)
            callback(list, failure);
    });
}

void ForgeCatalog::invalidate() {
    ++m_generation;
    m_entries.clear();
}

void ForgeCatalog::refresh(const QStringList &endpoints, DoneCallback done) {
    refreshNext(endpoints, std::nullopt, std::move(done));
}

void ForgeCatalog::refreshNext(QStringList endpoints, std::optional<ForgeError> firstError,
                               DoneCallback done) {
    if (endpoints.isEmpty()) {
        invalidate();
        done(firstError);
        return;
    }
    const QString endpoint = endpoints.takeFirst();
    m_client->post(
        QLatin1Char('/') + endpoint, QJsonObject(),
        [this, endpoints, firstError,
         done = std::move(done)](const QJsonDocument &, const std::optional<ForgeError> &error) mutable {
            refreshNext(endpoints, firstError ? firstError : error, std::move(done));
        },
        kRefreshTimeoutMs);
}

} // namespace nav::forge
