#include "server/civitai/FileDownload.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>

Q_LOGGING_CATEGORY(lcDownload, "navigator.download")

namespace nav::civitai {

namespace {
// Qt buffers at most this much when the disk is slower than the network, which throttles the transfer.
constexpr qint64 kReadBufferBytes = 4 << 20;
} // namespace

FileDownload::FileDownload(QNetworkAccessManager *network, const QUrl &url, const QString &targetPath,
                           const QString &expectedSha256, int stallTimeoutMs, QObject *parent)
    : QObject(parent), m_network(network), m_url(url), m_expectedSha256(expectedSha256.toLower()),
      m_stallTimeoutMs(stallTimeoutMs), m_file(std::make_unique<QSaveFile>(targetPath)) {
    m_file->setDirectWriteFallback(false); // never write the final name in place
}

FileDownload::~FileDownload() {
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    // Destroying an uncommitted QSaveFile removes its temporary file.
}

void FileDownload::start() {
    if (!m_file->open(QIODevice::WriteOnly)) {
        fail(QStringLiteral("WRITE_FAILED"),
             QStringLiteral("Cannot create a file in the model folder: ") + m_file->errorString());
        return;
    }
    QNetworkRequest request(m_url);
    request.setRawHeader("User-Agent", "Navigator");
    // CivitAI answers downloads with a redirect to its file storage; the key is in the first URL only.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(m_stallTimeoutMs);
    m_reply = m_network->get(request);
    m_reply->setReadBufferSize(kReadBufferBytes);
    connect(m_reply, &QNetworkReply::readyRead, this, &FileDownload::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &FileDownload::onFinished);
    connect(m_reply, &QNetworkReply::downloadProgress, this,
            [this](qint64, qint64 total) { emit progress(m_bytes, total > 0 ? total : -1); });
}

void FileDownload::onReadyRead() {
    if (m_done || !m_writeError.isEmpty() || !m_reply)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) // error bodies are not model files; onFinished reports the status
        return;
    while (m_reply->bytesAvailable() > 0) {
        const QByteArray chunk = m_reply->read(256 * 1024);
        m_hash.addData(chunk);
        if (m_file->write(chunk) != chunk.size()) {
            m_writeError = m_file->errorString();
            m_reply->abort();
            return;
        }
        m_bytes += chunk.size();
    }
}

void FileDownload::onFinished() {
    if (m_done || !m_reply)
        return;
    onReadyRead();
    QNetworkReply *reply = m_reply;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 declared = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    if (!m_writeError.isEmpty())
        return fail(QStringLiteral("WRITE_FAILED"),
                    QStringLiteral("Writing the model failed: ") + m_writeError);
    if (reply->error() != QNetworkReply::NoError && status == 200)
        return fail(
            QStringLiteral("DOWNLOAD_INCOMPLETE"),
            QStringLiteral("The download was cut after %1 bytes: %2").arg(m_bytes).arg(reply->errorString()));
    if (status != 200)
        return fail(QStringLiteral("DOWNLOAD_FAILED"),
                    status ? QStringLiteral("The file server answered %1").arg(status)
                           : QStringLiteral("The file server could not be reached: ") + reply->errorString());
    if (declared > 0 && declared != m_bytes)
        return fail(QStringLiteral("DOWNLOAD_INCOMPLETE"),
                    QStringLiteral("Received %1 of %2 bytes").arg(m_bytes).arg(declared));
    const QString sha256 = QString::fromLatin1(m_hash.result().toHex());
    if (!m_expectedSha256.isEmpty() && sha256 != m_expectedSha256)
        return fail(
            QStringLiteral("CHECKSUM_MISMATCH"),
            QStringLiteral("The file's SHA-256 is %1, CivitAI reports %2").arg(sha256, m_expectedSha256));
    if (!m_file->commit()) // flushes, syncs and renames over the final name
        return fail(QStringLiteral("WRITE_FAILED"),
                    QStringLiteral("Saving the model failed: ") + m_file->errorString());
    m_done = true;
    qCInfo(lcDownload).noquote() << "saved" << m_file->fileName() << m_bytes << "bytes, sha256" << sha256;
    emit finished(Result{true, {}, {}, sha256, m_bytes});
}

void FileDownload::fail(const QString &code, const QString &message) {
    if (m_done)
        return;
    m_done = true;
    qCWarning(lcDownload).noquote() << m_file->fileName() << code << message;
    m_file.reset();
    emit finished(Result{false, code, message, {}, m_bytes});
}

} // namespace nav::civitai
