#pragma once
// Downloads a CivitAI model version into Forge's model folders (GET /3papi/civitai/download/:id).
// Resolves the version, picks the folder by model type and the primary file, checks the name, free space,
// duplicates and the concurrency limit, streams the file with SHA-256 verification (FileDownload), then asks
// Forge to rescan and tells every realtime client. Progress goes out as model-download-progress events.
#include "server/civitai/CivitaiClient.h"
#include "server/common/Broadcast.h"
#include "server/forge/ForgeCatalog.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>

#include <functional>
#include <optional>

namespace nav::civitai {

// Free space of the file system holding `dir`, in percent; nullopt when it cannot be read.
using FreeSpaceProbe = std::function<std::optional<int>(const QString &dir)>;
// The disk's free space (QStorageInfo). Tests of the service pass a probe of their own.
FreeSpaceProbe freeSpaceProbe();

struct DownloadAnswer {
    int status = 200;
    QString message;   // "Model downloaded" or the error message
    QString errorCode; // empty on success
};

class ModelDownloadService final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString modelDir;
        int maxConcurrent = 2;
        int minFreeSpacePercent = 10;
        int stallTimeoutMs = 60'000; // a transfer that sends nothing for this long is abandoned
        bool supportsFlux = false;   // SUPPORTS_FLUX: otherwise versions based on Flux are refused
    };
    ModelDownloadService(CivitaiClient *civitai, forge::ForgeCatalog *catalog, const Options &options,
                         FreeSpaceProbe freeSpace, common::Broadcast broadcast, QObject *parent = nullptr);

    bool modelDirSet() const { return !m_options.modelDir.isEmpty(); }
    void download(qint64 modelVersionId, std::function<void(const DownloadAnswer &)> done);
    int activeDownloads() const { return m_active; }

private:
    struct Attempt;
    void onVersion(const std::shared_ptr<Attempt> &attempt, const CivitaiReply &reply);
    void startTransfer(const std::shared_ptr<Attempt> &attempt, const QJsonObject &file, const QUrl &url);
    void finish(const std::shared_ptr<Attempt> &attempt, const DownloadAnswer &answer);

    CivitaiClient *m_civitai;
    forge::ForgeCatalog *m_catalog;
    Options m_options;
    FreeSpaceProbe m_freeSpace;
    common::Broadcast m_broadcast;
    int m_active = 0;
    QSet<QString> m_targets; // files being downloaded now
};

} // namespace nav::civitai
