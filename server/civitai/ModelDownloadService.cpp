#include "server/civitai/ModelDownloadService.h"

#include "server/civitai/FileDownload.h"
#include "server/civitai/ModelFolders.h"
#include "server/civitai/RemoteFileName.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QStorageInfo>

Q_LOGGING_CATEGORY(lcModelDownload, "navigator.download")

namespace nav::civitai {

namespace {
constexpr qint64 kProgressEveryMs = 500;
}

struct ModelDownloadService::Attempt {
    qint64 versionId = 0;
    std::function<void(const DownloadAnswer &)> done;
    QString target; // registered in m_targets while set
    QElapsedTimer sinceProgress;
    bool answered = false;
};

FreeSpaceProbe freeSpaceProbe() {
    return [](const QString &dir) -> std::optional<int> {
        const QStorageInfo storage(dir);
        if (!storage.isValid() || storage.bytesTotal() <= 0)
            return std::nullopt;
        return static_cast<int>(storage.bytesAvailable() * 100 / storage.bytesTotal());
    };
}

ModelDownloadService::ModelDownloadService(CivitaiClient *civitai, forge::ForgeCatalog *catalog,
                                           const Options &options, FreeSpaceProbe freeSpace,
                                           common::Broadcast broadcast, QObject *parent)
    : QObject(parent), m_civitai(civitai), m_catalog(catalog), m_options(options),
      m_freeSpace(std::move(freeSpace)), m_broadcast(std::move(broadcast)) {}

void ModelDownloadService::download(qint64 modelVersionId, std::function<void(const DownloadAnswer &)> done) {
    if (!modelDirSet()) {
        done({500, QStringLiteral("Model directory not set"), QStringLiteral("MODEL_DIR_NOT_SET")});
        return;
    }
    if (m_active >= m_options.maxConcurrent) {
        done({429, QStringLiteral("%1 downloads are running already; try again later").arg(m_active),
              QStringLiteral("TOO_MANY_DOWNLOADS")});
        return;
    }
    ++m_active; // the slot is held from here until finish()
    auto attempt = std::make_shared<Attempt>();
    attempt->versionId = modelVersionId;
    attempt->done = std::move(done);
    m_civitai->modelVersionById(modelVersionId,
                                [this, attempt](const CivitaiReply &reply) { onVersion(attempt, reply); });
}

void ModelDownloadService::onVersion(const std::shared_ptr<Attempt> &attempt, const CivitaiReply &reply) {
    if (!reply.errorCode.isEmpty())
        return finish(attempt, {502, reply.errorMessage, reply.errorCode});
    if (reply.status == 404)
        return finish(attempt, {404, QStringLiteral("Model not found"), QStringLiteral("MODEL_NOT_FOUND")});
    if (reply.status == 401 || reply.status == 403)
        return finish(attempt, {502, QStringLiteral("CivitAI authentication failed"),
                                QStringLiteral("CIVITAI_AUTH_FAILED")});
    const QJsonObject version = reply.json().object();
    if (!reply.ok() || version.isEmpty())
        return finish(attempt, {502, QStringLiteral("CivitAI answered %1").arg(reply.status),
                                QStringLiteral("CIVITAI_UNAVAILABLE")});

    // What the original meant SUPPORTS_FLUX for (it compared a string with true, so it refused them always).
    const QString baseModel = version.value("baseModel").toString();
    if (!m_options.supportsFlux && baseModel.startsWith(QLatin1String("Flux"), Qt::CaseInsensitive))
        return finish(attempt, {400,
                                QStringLiteral("This server does not run Flux models (base model %1); an "
                                               "operator can allow them with SUPPORTS_FLUX=true")
                                    .arg(baseModel),
                                QStringLiteral("FLUX_NOT_SUPPORTED")});

    const QString type = version.value("model").toObject().value("type").toString();
    const auto folder = folderForModelType(type);
    if (!folder)
        return finish(attempt, {400, QStringLiteral("Unsupported model type"),
                                QStringLiteral("UNSUPPORTED_MODEL_TYPE")});

    const QJsonArray files = version.value("files").toArray();
    QJsonObject file;
    for (const QJsonValue &candidate : files) {
        if (candidate.toObject().value("primary").toBool()) {
            file = candidate.toObject();
            break;
        }
    }
    if (file.isEmpty() && !files.isEmpty())
        file = files.first().toObject();
    if (file.isEmpty())
        return finish(attempt, {404, QStringLiteral("The model version has no file to download"),
                                QStringLiteral("MODEL_FILE_NOT_FOUND")});

    const QString name = file.value("name").toString();
    if (!isSafeRemoteFileName(name)) {
        qCWarning(lcModelDownload).noquote()
            << "refusing unsafe file name from CivitAI:" << name.toUtf8().toPercentEncoding();
        return finish(attempt, {502, QStringLiteral("CivitAI sent an unacceptable file name"),
                                QStringLiteral("UNSAFE_FILE_NAME")});
    }
    const QString root = QDir::cleanPath(QDir(m_options.modelDir).absolutePath());
    const QString folderPath = root + QLatin1Char('/') + *folder;
    const QString target = folderPath + QLatin1Char('/') + name;
    if (!QDir::cleanPath(target).startsWith(root + QLatin1Char('/'))) // cannot happen with a safe name
        return finish(attempt, {502, QStringLiteral("CivitAI sent an unacceptable file name"),
                                QStringLiteral("UNSAFE_FILE_NAME")});
    if (QFileInfo::exists(target))
        return finish(attempt, {400, QStringLiteral("Model already downloaded"),
                                QStringLiteral("MODEL_ALREADY_DOWNLOADED")});
    if (m_targets.contains(target))
        return finish(attempt, {409, QStringLiteral("This model is being downloaded already"),
                                QStringLiteral("DOWNLOAD_IN_PROGRESS")});
    if (!QDir().mkpath(folderPath))
        return finish(attempt, {500, QStringLiteral("Cannot create the model folder %1").arg(*folder),
                                QStringLiteral("WRITE_FAILED")});
    const auto freePercent = m_freeSpace(folderPath);
    if (!freePercent || *freePercent < m_options.minFreeSpacePercent)
        return finish(attempt,
                      {500, QStringLiteral("Low storage space"), QStringLiteral("LOW_STORAGE_SPACE")});

    QUrl url(file.value("downloadUrl").toString(version.value("downloadUrl").toString()));
    if (!url.isValid() || (url.scheme() != "https" && url.scheme() != "http"))
        return finish(attempt, {502, QStringLiteral("CivitAI sent no usable download URL"),
                                QStringLiteral("CIVITAI_UNAVAILABLE")});
    attempt->target = target;
    m_targets.insert(target);
    startTransfer(attempt, file, m_civitai->authorizedDownloadUrl(url));
}

void ModelDownloadService::startTransfer(const std::shared_ptr<Attempt> &attempt, const QJsonObject &file,
                                         const QUrl &url) {
    const QString expected = file.value("hashes").toObject().value("SHA256").toString();
    if (expected.isEmpty())
        qCWarning(lcModelDownload).noquote()
            << "CivitAI reports no SHA-256 for" << attempt->target << "- it cannot be verified";
    qCInfo(lcModelDownload).noquote()
        << "downloading model version" << attempt->versionId << "to" << attempt->target;
    auto *transfer = new FileDownload(m_civitai->network(), &m_civitai->outboundPolicy(), url,
                                      attempt->target, expected, m_options.stallTimeoutMs, this);
    const QString fileName = QFileInfo(attempt->target).fileName();
    auto announce = [this, attempt, fileName](qint64 bytes, qint64 total) {
        m_broadcast(QStringLiteral("model-download-progress"),
                    QJsonObject{{"modelVersionId", static_cast<double>(attempt->versionId)},
                                {"file", fileName},
                                {"bytes", static_cast<double>(bytes)},
                                {"total", static_cast<double>(total)}});
    };
    attempt->sinceProgress.start();
    connect(transfer, &FileDownload::progress, this, [attempt, announce](qint64 bytes, qint64 total) {
        if (attempt->sinceProgress.elapsed() < kProgressEveryMs)
            return;
        attempt->sinceProgress.restart();
        announce(bytes, total);
    });
    connect(transfer, &FileDownload::finished, this,
            [this, attempt, transfer, announce](const FileDownload::Result &result) {
                transfer->deleteLater();
                if (!result.ok) {
                    const int status = result.errorCode == QLatin1String("WRITE_FAILED") ? 500 : 502;
                    return finish(attempt, {status, result.message, result.errorCode});
                }
                announce(result.bytes, result.bytes);
                // Release the download slot now; the answer waits for Forge to rescan its folders.
                m_targets.remove(attempt->target);
                attempt->target.clear();
                --m_active;
                m_catalog->refresh(
                    {QStringLiteral("refresh-checkpoints"), QStringLiteral("refresh-loras"),
                     QStringLiteral("refresh-embeddings")},
                    [this, attempt](const std::optional<forge::ForgeError> &error) {
                        if (error)
                            qCWarning(lcModelDownload).noquote()
                                << "Forge refresh after the download failed:" << error->message;
                        m_broadcast(QStringLiteral("models-refreshed"),
                                    QJsonObject{{"message", "Models refreshed by CivitAI download"}});
                        attempt->answered = true;
                        attempt->done({200, QStringLiteral("Model downloaded"), {}});
                    });
            });
    transfer->start();
}

void ModelDownloadService::finish(const std::shared_ptr<Attempt> &attempt, const DownloadAnswer &answer) {
    if (attempt->answered)
        return;
    attempt->answered = true;
    if (!attempt->target.isEmpty())
        m_targets.remove(attempt->target);
    --m_active;
    attempt->done(answer);
}

} // namespace nav::civitai
