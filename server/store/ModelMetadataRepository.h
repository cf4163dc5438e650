#pragma once
// The `model_metadata` table: cached metadata of models (LoRAs so far) keyed by hash. metadata_cache holds
// base64 of the JSON text, as the original Navigator writes it (TO_BASE64), so both can share a database.
#include "server/store/Database.h"

#include <QByteArray>
#include <QDateTime>
#include <QFuture>
#include <QString>

#include <optional>

namespace nav::store {

struct ModelMetadata {
    QString hash;
    int modelType = 0;   // 0 LoRA, 1 checkpoint
    QByteArray metadata; // the JSON text (decoded from base64)
    int provider = 1;    // 0 local override, 1 CivitAI
    std::optional<qint64> metadataId;
    QDateTime updatedAt; // local time, as written
    bool updatesDisabled = false;
};

class ModelMetadataRepository final {
public:
    explicit ModelMetadataRepository(Database &db) : m_db(db) {}
    QFuture<std::optional<ModelMetadata>> find(const QString &hash);
    // Inserts or updates the row for row.hash with metadata_updated_at = now. An update keeps
    // updates_disabled as it is (only an administrator changes it, in the database).
    QFuture<bool> save(const ModelMetadata &row);

private:
    Database &m_db;
};

} // namespace nav::store
