#pragma once
// Streams one URL to a file without holding it in memory: each chunk from the network is hashed
// (SHA-256, incrementally) and written to a temporary file in the target folder (QSaveFile). Only when the
// transfer is complete and the hash matches is the file renamed into place, atomically; any failure, a cut
// connection included, removes the temporary file, so no partial model is ever visible to Forge. The URL and
// every redirect are checked against the OutboundPolicy before they are fetched (UNSAFE_URL otherwise).
// Hashing, writing and the final sync run on the download's own I/O thread, never on the event loop; at most
// a few MB wait for the disk, beyond that the network is throttled.
#include <QCryptographicHash>
#include <QObject>
#include <QPointer>
#include <QSaveFile>
#include <QThreadPool>
#include <QUrl>

#include <atomic>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace nav::civitai {

class OutboundPolicy;

class FileDownload final : public QObject {
    Q_OBJECT
public:
    struct Result {
        bool ok = false;
        QString
            errorCode; // DOWNLOAD_FAILED, DOWNLOAD_INCOMPLETE, CHECKSUM_MISMATCH, WRITE_FAILED, UNSAFE_URL
        QString message;
        QString sha256; // lower-case hex of what was received
        qint64 bytes = 0;
    };

    // expectedSha256 may be empty (nothing to verify). stallTimeoutMs ends a transfer that stops sending.
    FileDownload(QNetworkAccessManager *network, const OutboundPolicy *policy, const QUrl &url,
                 const QString &targetPath, const QString &expectedSha256, int stallTimeoutMs,
                 QObject *parent = nullptr);
    ~FileDownload() override;

    void start();

signals:
    void progress(qint64 bytes, qint64 total); // total is -1 when unknown
    void finished(const nav::civitai::FileDownload::Result &result);

private:
    void request();
    void onRedirected(const QUrl &target);
    void onReadyRead();
    void onFinished();
    void fail(const QString &code, const QString &message);

    QNetworkAccessManager *m_network;
    const OutboundPolicy *m_policy;
    QUrl m_url;
    QString m_expectedSha256;
    int m_stallTimeoutMs;
    void writeOffLoop(const QByteArray &chunk);

    // The disk side, used only on the I/O thread once the transfer runs.
    struct Sink {
        std::unique_ptr<QSaveFile> file;
        QCryptographicHash hash{QCryptographicHash::Sha256};
        QString writeError;
        std::atomic<bool> failed{false};
        std::atomic<qint64> queuedBytes{0}; // handed to the I/O thread, not written yet
        std::atomic<bool> paused{false};    // reading stopped at the backlog limit
    };
    std::shared_ptr<Sink> m_sink;
    std::unique_ptr<QThreadPool> m_io; // one thread, so chunks are written in order
    QPointer<QNetworkReply> m_reply;
    qint64 m_bytes = 0;
    bool m_finishing = false;
    bool m_done = false;
};

} // namespace nav::civitai
