// The model downloader against a fake CivitAI in this process: success with the checksum verified, checksum
// mismatch, cut connection, low disk, hostile file names, duplicates and the concurrency limit. Forge is
// not running here (its refresh fails and is only logged); the HTTP-level tests cover the wiring.
#include "server/civitai/ModelDownloadService.h"
#include "server/forge/ForgeCatalog.h"
#include "tests/models/FakeCivitai.h"
#include "tests/support/TestSupport.h"

#include <QDir>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav;
using nav::test::FakeCivitai;

namespace {

QByteArray randomBytes(int size) {
    QByteArray bytes(size, Qt::Uninitialized);
    auto *generator = QRandomGenerator::global();
    for (int i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(generator->bounded(256));
    return bytes;
}

struct Outcome {
    bool done = false;
    civitai::DownloadAnswer answer;
};

} // namespace

class TestModelDownload : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeCivitai> m_civitai;
    std::unique_ptr<civitai::CivitaiClient> m_client;
    std::unique_ptr<forge::ForgeClient> m_forge;
    std::unique_ptr<forge::ForgeCatalog> m_catalog;
    std::unique_ptr<civitai::ModelDownloadService> m_service;
    QList<QPair<QString, QJsonValue>> m_events;
    int m_freePercent = 50;

    void makeService(int maxConcurrent = 2, const QString &modelDir = QStringLiteral("<tmp>"),
                     bool supportsFlux = false) {
        m_service = std::make_unique<civitai::ModelDownloadService>(
            m_client.get(), m_catalog.get(),
            civitai::ModelDownloadService::Options{modelDir == "<tmp>" ? m_dir->path() : modelDir,
                                                      maxConcurrent, 10, 10'000, supportsFlux},
            [this](const QString &) { return std::optional<int>(m_freePercent); },
            [this](const QString &event, const QJsonObject &payload) {
                m_events.append({event, payload});
            });
    }

    std::shared_ptr<Outcome> start(qint64 versionId) {
        auto outcome = std::make_shared<Outcome>();
        m_service->download(versionId, [outcome](const civitai::DownloadAnswer &answer) {
            outcome->done = true;
            outcome->answer = answer;
        });
        return outcome;
    }

    civitai::DownloadAnswer run(qint64 versionId) {
        auto outcome = start(versionId);
        if (!QTest::qWaitFor([&] { return outcome->done; }, 30'000))
            qWarning("download %lld did not finish", versionId);
        return outcome->answer;
    }

    QStringList entries(const QString &folder) const {
        return QDir(m_dir->filePath(folder))
            .entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    }

    int fileRequests() const {
        int n = 0;
        for (const auto &seen : m_civitai->seen)
            n += seen.path.startsWith("/files/");
        return n;
    }

private slots:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        m_civitai = std::make_unique<FakeCivitai>();
        QVERIFY(m_civitai->listen());
        m_client = std::make_unique<civitai::CivitaiClient>(m_civitai->base(), m_civitai->validKey,
                                                            civitai::CivitaiClient::Limits{});
        const QUrl nowhere(QStringLiteral("http://127.0.0.1:%1").arg(nav::test::freePort()));
        m_forge = std::make_unique<forge::ForgeClient>(nowhere.resolved(QUrl("/sdapi/v1")), nowhere);
        m_catalog = std::make_unique<forge::ForgeCatalog>(m_forge.get(), 60'000);
        m_events.clear();
        m_freePercent = 50;
        makeService();
    }
    void cleanup() {
        m_service.reset();
        m_catalog.reset();
        m_forge.reset();
        m_client.reset();
        m_civitai.reset();
        m_dir.reset();
    }

    void successVerifiesChecksumAndReportsProgress() {
        const QByteArray content = randomBytes(3 * 1024 * 1024 + 17);
        m_civitai->addVersion(101, "LORA", "good_lora.safetensors", content);
        const auto answer = run(101);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.message, QStringLiteral("Model downloaded"));
        QCOMPARE(entries("Lora"), QStringList{"good_lora.safetensors"});
        QFile file(m_dir->filePath("Lora/good_lora.safetensors"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll() == content);

        // The key went to CivitAI's own download URL as ?token=, and the API call as a Bearer header.
        bool tokenSent = false;
        for (const auto &seen : m_civitai->seen)
            tokenSent |= seen.path.startsWith("/files/") && seen.path.contains("token=test-civitai-key");
        QVERIFY(tokenSent);

        QVERIFY(!m_events.isEmpty());
        const auto last = m_events.last();
        QCOMPARE(last.first, QStringLiteral("models-refreshed"));
        QVERIFY(last.second.toObject().value("message").isString());
        const QJsonObject progress = m_events.at(m_events.size() - 2).second.toObject();
        QCOMPARE(m_events.at(m_events.size() - 2).first, QStringLiteral("model-download-progress"));
        QCOMPARE(progress.value("bytes").toDouble(), double(content.size()));
        QCOMPARE(progress.value("total").toDouble(), double(content.size()));
        QCOMPARE(progress.value("modelVersionId").toDouble(), 101.0);
        QCOMPARE(progress.value("file").toString(), QStringLiteral("good_lora.safetensors"));
        QCOMPARE(m_service->activeDownloads(), 0);
    }

    // Writes run on the download's I/O thread, in order, with reading paused while over 8 MB wait for the
    // disk: a file several times that size arrives intact, with no temporary file left.
    void bigFileArrivesIntactThroughTheWriterThread() {
        const QByteArray content = randomBytes(40 * 1024 * 1024 + 5);
        m_civitai->addVersion(105, "Checkpoint", "big_ckpt.safetensors", content);
        QCOMPARE(run(105).status, 200);
        QCOMPARE(entries("Stable-diffusion"), QStringList{"big_ckpt.safetensors"});
        QFile file(m_dir->filePath("Stable-diffusion/big_ckpt.safetensors"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll() == content);
    }

    void foldersFollowTheModelType() {
        m_civitai->addVersion(102, "Checkpoint", "ckpt.safetensors", randomBytes(1000));
        m_civitai->addVersion(103, "TextualInversion", "emb.pt", randomBytes(1000));
        m_civitai->addVersion(104, "VAE", "vae.safetensors", randomBytes(1000));
        QCOMPARE(run(102).status, 200);
        QCOMPARE(run(103).status, 200);
        QCOMPARE(run(104).status, 200);
        QCOMPARE(entries("Stable-diffusion"), QStringList{"ckpt.safetensors"});
        QCOMPARE(entries("embeddings"), QStringList{"emb.pt"});
        QCOMPARE(entries("VAE"), QStringList{"vae.safetensors"});
    }

    void checksumMismatchLeavesNothing() {
        m_civitai->addVersion(110, "LORA", "tampered.safetensors", randomBytes(200'000));
        m_civitai->files["tampered.safetensors"].content[1000] ^= 0x55;
        const auto answer = run(110);
        QCOMPARE(answer.status, 502);
        QCOMPARE(answer.errorCode, QStringLiteral("CHECKSUM_MISMATCH"));
        QCOMPARE(entries("Lora"), QStringList());
        QCOMPARE(m_service->activeDownloads(), 0);
        QVERIFY(m_events.isEmpty() || m_events.last().first != "models-refreshed");
    }

    void cutConnectionLeavesNothing() {
        m_civitai->addVersion(111, "LORA", "cut.safetensors", randomBytes(500'000), FakeCivitai::File::Cut);
        const auto answer = run(111);
        QCOMPARE(answer.status, 502);
        QCOMPARE(answer.errorCode, QStringLiteral("DOWNLOAD_INCOMPLETE"));
        QCOMPARE(entries("Lora"), QStringList());
        // A retry after the server is fixed works: the failed attempt left no lock behind.
        m_civitai->files["cut.safetensors"].mode = FakeCivitai::File::Full;
        QCOMPARE(run(111).status, 200);
        QCOMPARE(entries("Lora"), QStringList{"cut.safetensors"});
    }

    void lowDiskIsRefusedBeforeDownloading() {
        m_civitai->addVersion(112, "LORA", "big.safetensors", randomBytes(1000));
        m_freePercent = 9;
        const auto answer = run(112);
        QCOMPARE(answer.status, 500);
        QCOMPARE(answer.errorCode, QStringLiteral("LOW_STORAGE_SPACE"));
        QCOMPARE(fileRequests(), 0);
        QCOMPARE(entries("Lora"), QStringList());
        m_freePercent = 10;
        QCOMPARE(run(112).status, 200);
    }

    void hostileFileNamesAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("traversal") << "../../escaped.safetensors";
        QTest::newRow("absolute") << "/tmp/escaped.safetensors";
        QTest::newRow("subfolder") << "Lora/escaped.safetensors";
        QTest::newRow("backslash") << "..\\escaped.safetensors";
        QTest::newRow("control") << "esc\naped.safetensors";
        QTest::newRow("dotdot") << "..";
        QTest::newRow("hidden") << ".escaped";
    }
    void hostileFileNamesAreRefused() {
        QFETCH(QString, name);
        m_civitai->addVersion(120, "LORA", name, randomBytes(1000));
        const auto answer = run(120);
        QCOMPARE(answer.status, 502);
        QCOMPARE(answer.errorCode, QStringLiteral("UNSAFE_FILE_NAME"));
        QCOMPARE(fileRequests(), 0);
        QDir root(m_dir->path());
        QCOMPARE(root.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
        QVERIFY(!QFileInfo::exists("/tmp/escaped.safetensors"));
    }

    void errorsFromTheVersionLookup() {
        QCOMPARE(run(999).status, 404);
        QCOMPARE(run(999).errorCode, QStringLiteral("MODEL_NOT_FOUND"));
        m_civitai->addVersion(130, "Poses", "pose.zip", randomBytes(10));
        const auto unsupported = run(130);
        QCOMPARE(unsupported.status, 400);
        QCOMPARE(unsupported.message, QStringLiteral("Unsupported model type"));
        QCOMPARE(unsupported.errorCode, QStringLiteral("UNSUPPORTED_MODEL_TYPE"));
        m_civitai->addVersion(131, "LORA", "twice.safetensors", randomBytes(1000));
        QCOMPARE(run(131).status, 200);
        const auto again = run(131);
        QCOMPARE(again.status, 400);
        QCOMPARE(again.message, QStringLiteral("Model already downloaded"));
        QCOMPARE(m_service->activeDownloads(), 0);
    }

    void wrongKeyIsReported() {
        m_civitai->addVersion(132, "LORA", "x.safetensors", randomBytes(10));
        m_client = std::make_unique<civitai::CivitaiClient>(m_civitai->base(), "wrong-key",
                                                            civitai::CivitaiClient::Limits{});
        makeService();
        bool authenticated = true, called = false;
        m_client->checkAuthenticated([&](bool ok) {
            authenticated = ok;
            called = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(called, 15000);
        QVERIFY(!authenticated);
    }

    void modelDirMustBeSet() {
        makeService(2, QString());
        const auto answer = run(1);
        QCOMPARE(answer.status, 500);
        QCOMPARE(answer.errorCode, QStringLiteral("MODEL_DIR_NOT_SET"));
    }

    // SUPPORTS_FLUX: a version whose baseModel is a Flux one is refused unless it is true.
    void fluxVersionsNeedSupportsFlux() {
        QJsonObject flux =
            m_civitai->addVersion(150, "Checkpoint", "flux_ckpt.safetensors", randomBytes(1000));
        flux.insert("baseModel", "Flux.1 D");
        m_civitai->versionsById.insert("150", flux);
        const auto refused = run(150);
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.errorCode, QStringLiteral("FLUX_NOT_SUPPORTED"));
        QVERIFY2(refused.message.contains("SUPPORTS_FLUX"), qPrintable(refused.message));
        QVERIFY(entries("Stable-diffusion").isEmpty());
        QCOMPARE(fileRequests(), 0);
        QCOMPARE(run(151).status, 404); // (unknown version: the check does not get in the way of others)
        m_civitai->addVersion(152, "Checkpoint", "sdxl_ckpt.safetensors", randomBytes(1000));
        QCOMPARE(run(152).status, 200); // an SDXL version is taken either way

        makeService(2, QStringLiteral("<tmp>"), true);
        const auto taken = run(150);
        QCOMPARE(taken.status, 200);
        QCOMPARE(entries("Stable-diffusion"),
                 (QStringList{"flux_ckpt.safetensors", "sdxl_ckpt.safetensors"}));
    }

    void concurrencyLimitAndDuplicates() {
        m_civitai->addVersion(140, "LORA", "a.safetensors", randomBytes(300'000), FakeCivitai::File::Hold);
        m_civitai->addVersion(141, "LORA", "b.safetensors", randomBytes(300'000), FakeCivitai::File::Hold);
        m_civitai->addVersion(142, "LORA", "c.safetensors", randomBytes(1000));
        auto first = start(140);
        QTRY_COMPARE_WITH_TIMEOUT(m_civitai->heldCount(), 1, 15000);
        const auto duplicate = run(140); // the same file while it is on its way
        QCOMPARE(duplicate.status, 409);
        QCOMPARE(duplicate.errorCode, QStringLiteral("DOWNLOAD_IN_PROGRESS"));
        auto second = start(141);
        QTRY_COMPARE_WITH_TIMEOUT(m_civitai->heldCount(), 2, 15000);
        QCOMPARE(m_service->activeDownloads(), 2);
        const auto third = run(142);
        QCOMPARE(third.status, 429);
        QCOMPARE(third.errorCode, QStringLiteral("TOO_MANY_DOWNLOADS"));
        QVERIFY(!first->done && !second->done);
        // Nothing is visible in the folder but the temporary files while the transfers run.
        for (const QString &name : entries("Lora"))
            QVERIFY2(!name.endsWith(".safetensors"), qPrintable(name));
        m_civitai->releaseHeld();
        QTRY_VERIFY_WITH_TIMEOUT(first->done && second->done, 30000);
        QCOMPARE(first->answer.status, 200);
        QCOMPARE(second->answer.status, 200);
        QCOMPARE(run(142).status, 200);
        QCOMPARE(entries("Lora"), (QStringList{"a.safetensors", "b.safetensors", "c.safetensors"}));
    }
};

QTEST_GUILESS_MAIN(TestModelDownload)
#include "tst_modeldownload.moc"
