#include "server/loras/LoraService.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLora, "navigator.lora")

namespace nav::loras {

namespace {

enum Provider { ProviderLocal = 0, ProviderCivitai = 1 };
constexpr int kModelTypeLora = 0;

// Training details that Forge includes in a LoRA's metadata and clients never need.
QJsonObject withoutTrainingJunk(QJsonObject lora) {
    QJsonObject metadata = lora.value("metadata").toObject();
    for (const char *key : {"ss_tag_frequency", "ss_bucket_info", "ss_datasets", "ss_dataset_dirs"})
        metadata.remove(QLatin1String(key));
    if (lora.contains("metadata"))
        lora.insert("metadata", metadata);
    return lora;
}

bool isCivitaiVersion(const QJsonObject &object) {
    return object.value("id").isDouble() && object.value("name").isString();
}

QJsonObject civitaiLora(const QJsonObject &forgeLora, const QJsonObject &version) {
    return {{"forge", forgeLora},
            {"civitai", version},
            {"alias", forgeLora.value("alias")},
            {"name", version.value("name")},
            {"nsfw", version.value("model").toObject().value("nsfw").toBool()},
            {"provider", ProviderCivitai}};
}

QJsonObject localLora(const QJsonObject &forgeLora, const QJsonObject &override) {
    return {{"forge", forgeLora},
            {"localOverride", override},
            {"alias", forgeLora.value("alias")},
            {"name", forgeLora.value("name")},
            {"nsfw", override.value("nsfw").toBool()},
            {"provider", ProviderLocal}};
}

std::optional<QJsonArray> stringArray(const QJsonValue &value, int maxItems) {
    if (!value.isArray() || value.toArray().size() > maxItems)
        return std::nullopt;
    for (const QJsonValue &item : value.toArray())
        if (!item.isString())
            return std::nullopt;
    return value.toArray();
}

} // namespace

struct LoraService::ListJob {
    QJsonArray loras;
    bool force = false;
    std::vector<std::optional<QJsonObject>> results;
    int next = 0;
    int running = 0;
    int finished = 0;
    forge::ListCallback done;
};

LoraService::LoraService(forge::ForgeCatalog *catalog, civitai::CivitaiClient *civitai,
                         store::ModelMetadataRepository *metadata, store::FileHashRepository *fileHashes,
                         const Options &options, QObject *parent)
    : QObject(parent), m_catalog(catalog), m_civitai(civitai), m_metadata(metadata), m_fileHashes(fileHashes),
      m_options(options) {}

void LoraService::forgeLoras(forge::ListCallback done) {
    if (!m_options.enabled)
        return done(QJsonArray(), std::nullopt);
    m_catalog->loras(
        [done = std::move(done)](const QJsonArray &list, const std::optional<forge::ForgeError> &error) {
            QJsonArray cleaned;
            for (const QJsonValue &lora : list)
                cleaned.append(withoutTrainingJunk(lora.toObject()));
            done(cleaned, error);
        });
}

void LoraService::loras(bool forceUpdate, forge::ListCallback done) {
    if (forceUpdate)
        m_unresolved.clear();
    forgeLoras([this, forceUpdate, done = std::move(done)](const QJsonArray &list,
                                                           const std::optional<forge::ForgeError> &error) {
        if (error || list.isEmpty())
            return done(QJsonArray(), error);
        auto job = std::make_shared<ListJob>();
        job->loras = list;
        job->force = forceUpdate;
        job->results.resize(list.size());
        job->done = done;
        pump(job);
    });
}

// Resolves the LoRAs a few at a time; the answer keeps Forge's order.
void LoraService::pump(const std::shared_ptr<ListJob> &job) {
    while (job->running < m_options.parallelLookups && job->next < job->loras.size()) {
        const int index = job->next++;
        ++job->running;
        resolve(job->loras.at(index).toObject(), job->force,
                [this, job, index](const std::optional<QJsonObject> &lora) {
                    job->results[index] = lora;
                    --job->running;
                    ++job->finished;
                    if (job->finished == job->loras.size()) {
                        QJsonArray merged;
                        QStringList unmatched;
                        for (int i = 0; i < job->loras.size(); ++i) {
                            if (job->results[i])
                                merged.append(*job->results[i]);
                            else
                                unmatched << job->loras.at(i).toObject().value("name").toString();
                        }
                        if (!unmatched.isEmpty())
                            qCInfo(lcLora).noquote() << "LoRAs without metadata:" << unmatched.join(", ");
                        job->done(merged, std::nullopt);
                        return;
                    }
                    pump(job);
                });
    }
}

void LoraService::resolve(const QJsonObject &lora, bool force, LoraCallback done) {
    keyFor(lora, [this, lora, force, done = std::move(done)](const QString &key) {
        m_metadata->find(key)
            .then(this,
                  [this, lora, key, force, done](const std::optional<store::ModelMetadata> &row) {
                      decide(lora, key, row, force, done);
                  })
            .onFailed(this, [lora, done](const store::DbError &error) {
                qCWarning(lcLora).noquote()
                    << "metadata lookup failed for" << lora.value("name").toString() << error.message();
                done(std::nullopt);
            });
    });
}

void LoraService::keyFor(const QJsonObject &lora, std::function<void(const QString &)> done) {
    const QString alias = lora.value("alias").toString(lora.value("name").toString());
    const QString sshs = lora.value("metadata").toObject().value("sshs_model_hash").toString();
    if (!sshs.isEmpty())
        return done(sshs.left(12));
    if (m_options.modelDir.isEmpty())
        return done(alias);

    // Forge's path is as Forge sees it; the part below its Lora folder is looked up under MODEL_DIR/Lora.
    const QString forgePath = lora.value("path").toString();
    const int marker = forgePath.lastIndexOf(QLatin1String("/Lora/"));
    const QString relative = marker >= 0 ? forgePath.mid(marker + 6)
                                         : lora.value("name").toString() + QStringLiteral(".safetensors");
    const QString folder = QDir::cleanPath(QDir(m_options.modelDir).absoluteFilePath(QStringLiteral("Lora")));
    const QString path = QDir::cleanPath(folder + QLatin1Char('/') + relative);
    const QFileInfo info(path);
    if (!path.startsWith(folder + QLatin1Char('/')) || !info.isFile())
        return done(alias);

    const QString fileName = lora.value("name").toString();
    auto compute = [this, path, fileName, alias, done] {
        m_hasher.sha256(path, [this, fileName, alias, done](const QString &hex) {
            if (hex.isEmpty())
                return done(alias);
            m_fileHashes->save(fileName, hex).onFailed(this, [](const store::DbError &error) {
                qCWarning(lcLora).noquote() << "cannot cache a file hash:" << error.message();
                return false;
            });
            done(hex);
        });
    };
    QDateTime modified = info.lastModified();
    modified = modified.addMSecs(-modified.time().msec()); // the table keeps whole seconds
    m_fileHashes->find(fileName)
        .then(this,
              [compute, done, modified](const std::optional<store::FileHash> &cached) {
                  // A file replaced after it was hashed is hashed again.
                  if (cached && !cached->sha256.isEmpty() && cached->createdAt >= modified)
                      return done(cached->sha256);
                  compute();
              })
        .onFailed(this, [compute](const store::DbError &) { compute(); });
}

void LoraService::decide(const QJsonObject &lora, const QString &key,
                         const std::optional<store::ModelMetadata> &row, bool force, LoraCallback done) {
    if (!row) {
        const auto unresolved = m_unresolved.constFind(key);
        if (unresolved != m_unresolved.constEnd() &&
            QDateTime::currentMSecsSinceEpoch() - *unresolved < m_options.unresolvedTtlMs)
            return done(std::nullopt);
        fetchVersion(key, std::nullopt,
                     [this, lora, key, done](const std::optional<QJsonObject> &version, bool unknown) {
                         if (!version) {
                             if (unknown)
                                 m_unresolved.insert(key, QDateTime::currentMSecsSinceEpoch());
                             return done(std::nullopt);
                         }
                         remember(key, *version, false);
                         done(civitaiLora(lora, *version));
                     });
        return;
    }

    const QJsonObject cached = QJsonDocument::fromJson(row->metadata).object();
    if (row->provider == ProviderLocal) {
        QString error;
        if (const auto override = validOverride(cached, &error))
            return done(localLora(lora, *override));
        qCWarning(lcLora).noquote() << "invalid local override stored for" << key << error;
        return done(std::nullopt);
    }
    if (row->provider != ProviderCivitai)
        return done(std::nullopt);

    const bool valid = isCivitaiVersion(cached);
    const bool fresh =
        row->updatedAt.isValid() && row->updatedAt.msecsTo(QDateTime::currentDateTime()) < m_options.maxAgeMs;
    if ((fresh && !force && valid) || row->updatesDisabled)
        return done(valid ? std::optional<QJsonObject>(civitaiLora(lora, cached)) : std::nullopt);
    // A stored version id wins over the hash, so an admin can point a LoRA at the right CivitAI version.
    fetchVersion(key, row->metadataId,
                 [this, lora, key, cached, valid, done](const std::optional<QJsonObject> &version, bool) {
                     if (!version) // taken down or CivitAI unreachable: the copy we have is still good
                         return done(valid ? std::optional<QJsonObject>(civitaiLora(lora, cached))
                                           : std::nullopt);
                     remember(key, *version, true);
                     done(civitaiLora(lora, *version));
                 });
}

void LoraService::fetchVersion(const QString &key, std::optional<qint64> versionId,
                               std::function<void(const std::optional<QJsonObject> &, bool)> done) {
    auto &waiters = m_fetching[key];
    waiters.push_back(std::move(done));
    if (waiters.size() > 1)
        return;
    auto finish = [this, key](const civitai::CivitaiReply &reply) {
        std::optional<QJsonObject> version;
        QJsonObject object = reply.json().object();
        if (reply.ok() && isCivitaiVersion(object)) {
            // Only the first image is kept; clients show one.
            const QJsonArray images = object.value("images").toArray();
            object.insert("images", images.isEmpty() ? QJsonArray() : QJsonArray{images.first()});
            version = object;
        } else if (reply.errorCode.isEmpty() && reply.status != 404) {
            qCWarning(lcLora).noquote() << "CivitAI answered" << reply.status << "for" << key;
        }
        const bool unknown = reply.errorCode.isEmpty() && reply.status == 404;
        const auto callbacks = m_fetching.take(key);
        for (const auto &callback : callbacks)
            callback(version, unknown);
    };
    if (versionId && *versionId > 0)
        m_civitai->modelVersionById(*versionId, finish);
    else
        m_civitai->modelVersionByHash(key, finish);
}

void LoraService::remember(const QString &key, const QJsonObject &version, bool existed) {
    store::ModelMetadata row;
    row.hash = key;
    row.modelType = kModelTypeLora;
    row.metadata = QJsonDocument(version).toJson(QJsonDocument::Compact);
    row.provider = ProviderCivitai;
    row.metadataId = static_cast<qint64>(version.value("id").toDouble());
    m_metadata->save(row).onFailed(this, [key, existed](const store::DbError &error) {
        qCWarning(lcLora).noquote() << (existed ? "cannot update" : "cannot store") << "metadata for" << key
                                    << error.message();
        return false;
    });
}

std::optional<QJsonObject> LoraService::validOverride(const QJsonObject &body, QString *error) {
    auto fail = [error](const QString &message) {
        *error = message;
        return std::nullopt;
    };
    for (const char *key : {"name", "description", "baseModel"})
        if (!body.value(QLatin1String(key)).isString())
            return fail(QStringLiteral("%1 must be a string").arg(QLatin1String(key)));
    if (body.value("name").toString().trimmed().isEmpty() || body.value("name").toString().size() > 255)
        return fail(QStringLiteral("name must be 1 to 255 characters"));
    if (body.value("description").toString().size() > 20'000 ||
        body.value("baseModel").toString().size() > 255)
        return fail(QStringLiteral("description or baseModel is too long"));
    if (!body.value("nsfw").isBool())
        return fail(QStringLiteral("nsfw must be true or false"));
    QJsonObject kept{{"name", body.value("name")},
                     {"description", body.value("description")},
                     {"nsfw", body.value("nsfw")},
                     {"baseModel", body.value("baseModel")}};
    for (const char *key : {"trainedWords", "images"}) {
        const QJsonValue value = body.value(QLatin1String(key));
        if (value.isUndefined())
            continue;
        const auto list = stringArray(value, 200);
        if (!list)
            return fail(QStringLiteral("%1 must be a list of strings").arg(QLatin1String(key)));
        kept.insert(QLatin1String(key), *list);
    }
    return kept;
}

void LoraService::setOverride(const QString &hash, const QJsonObject &override,
                              std::function<void(const std::optional<QString> &)> done) {
    store::ModelMetadata row;
    row.hash = hash;
    row.modelType = kModelTypeLora;
    row.metadata = QJsonDocument(override).toJson(QJsonDocument::Compact);
    row.provider = ProviderLocal;
    row.metadataId = 0;
    m_metadata->save(row)
        .then(this, [done](bool) { done(std::nullopt); })
        .onFailed(this, [done](const store::DbError &error) { done(error.message()); });
}

} // namespace nav::loras
