#pragma once
// GET /api/models/loras and POST /api/models/loras/override/:hash: Forge's LoRAs merged with metadata from
// CivitAI (model-versions/by-hash) or a local override, cached in model_metadata.
//
// The key of a LoRA is the first 12 characters of its sshs_model_hash (the "AutoV3" hash CivitAI knows),
// or else the SHA-256 of its file under MODEL_DIR/Lora (cached in file_sha256_cache, computed off the event
// loop), or else its alias. CivitAI metadata older than LORA_METADATA_MAX_AGE is fetched again (unless
// updates are disabled for it); hashes CivitAI does not know are remembered for a while so that they are
// not asked for on every call. A LoRA without any metadata is left out of the list, as in the original.
#include "server/civitai/CivitaiClient.h"
#include "server/forge/ForgeCatalog.h"
#include "server/loras/FileHasher.h"
#include "server/store/FileHashRepository.h"
#include "server/store/ModelMetadataRepository.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>
#include <vector>

namespace nav::loras {

using LoraCallback = std::function<void(const std::optional<QJsonObject> &lora)>;

class LoraService final : public QObject {
    Q_OBJECT
public:
    struct Options {
        bool enabled = false; // ENABLE_LORA_SUPPORT
        QString modelDir;     // MODEL_DIR
        qint64 maxAgeMs = 7LL * 86'400'000;
        qint64 unresolvedTtlMs = 6LL * 3'600'000; // how long a hash unknown to CivitAI is not asked again
        int parallelLookups = 4;
    };
    LoraService(forge::ForgeCatalog *catalog, civitai::CivitaiClient *civitai,
                store::ModelMetadataRepository *metadata, store::FileHashRepository *fileHashes,
                const Options &options, QObject *parent = nullptr);

    bool enabled() const { return m_options.enabled; }
    // Forge's list without the bulky training metadata.
    void forgeLoras(forge::ListCallback done);
    // Every LoRA that has metadata, merged with it, in Forge's order.
    void loras(bool forceUpdate, forge::ListCallback done);
    // Stores a local override for `hash`; `done` gets an error message on failure.
    void setOverride(const QString &hash, const QJsonObject &override,
                     std::function<void(const std::optional<QString> &error)> done);

    // The override with only its known keys, or an error message when it is not a valid LocalOverrideLora
    // {name, description, nsfw, baseModel, trainedWords?, images?}.
    static std::optional<QJsonObject> validOverride(const QJsonObject &body, QString *error);

private:
    struct ListJob;
    void pump(const std::shared_ptr<ListJob> &job);
    void resolve(const QJsonObject &lora, bool force, LoraCallback done);
    void keyFor(const QJsonObject &lora, std::function<void(const QString &key)> done);
    void decide(const QJsonObject &lora, const QString &key, const std::optional<store::ModelMetadata> &row,
                bool force, LoraCallback done);
    // One CivitAI lookup per key at a time; `done` gets the version (images cut to the first) or nullopt.
    void fetchVersion(const QString &key, std::optional<qint64> versionId,
                      std::function<void(const std::optional<QJsonObject> &, bool unknown)> done);
    void remember(const QString &key, const QJsonObject &version, bool existed);

    forge::ForgeCatalog *m_catalog;
    civitai::CivitaiClient *m_civitai;
    store::ModelMetadataRepository *m_metadata;
    store::FileHashRepository *m_fileHashes;
    FileHasher m_hasher;
    Options m_options;
    QHash<QString, qint64> m_unresolved; // key -> when CivitAI said it does not know it
    QHash<QString, std::vector<std::function<void(const std::optional<QJsonObject> &, bool)>>> m_fetching;
};

} // namespace nav::loras
