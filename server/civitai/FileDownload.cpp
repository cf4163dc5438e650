#include "server/civitai/FileDownload.h"

#include "server/civitai/OutboundPolicy.h"
#include "server/common/WorkerPriority.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>

Q_LOGGING_CATEGORY(lcDownload, "navigator.download")

namespace nav::civitai {

namespace {
// Qt buffers at most this much when the disk is slower than the network, which throttles the transfer.
constexpr qint64 kReadBufferBytes = 4 << 20;
// CivitAI redirects once, to its file storage.
constexpr int kMaxRedirects = 5;
// Bytes read from the network but not yet on disk; above this, reading pauses until the disk catches up.
constexpr qint64 kMaxQueuedBytes = 8 << 20;
constexpr qint64 kChunkBytes = 256 * 1024;
} // namespace

FileDownload::FileDownload(QNetworkAccessManager *network, const OutboundPolicy *policy, const QUrl &url,
                           const QString &targetPath, const QString &expectedSha256, int stallTimeoutMs,
                           QObject *parent)
    : QObject(parent), m_network(network), m_policy(policy), m_url(url),
      m_expectedSha256(expectedSha256.toLower()), m_stallTimeoutMs(stallTimeoutMs),
      m_sink(std::make_shared<Sink>()), m_io(std::make_unique<QThreadPool>()) {
    m_sink->file = std::make_unique<QSaveFile>(targetPath);
    m_sink->file->setDirectWriteFallback(false); // never write the final name in place
    m_io->setMaxThreadCount(1);
}

FileDownload::~FileDownload() {
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    // Let the queued writes end (at most kMaxQueuedBytes) before the file goes; destroying an uncommitted
    // QSaveFile removes its temporary file.
    m_io.reset();
}

void FileDownload::start() {
    if (!m_sink->file->open(QIODevice::WriteOnly)) {
        fail(QStringLiteral("WRITE_FAILED"),
             QStringLiteral("Cannot create a file in the model folder: ") + m_sink->file->errorString());
        return;
    }
    if (!m_policy)
        return request();
    m_policy->check(m_url, this, [this](const std::optional<QString> &refusal) {
        if (refusal)
            return fail(QStringLiteral("UNSAFE_URL"),
                        QStringLiteral("Refusing to download from ") + *refusal);
        request();
    });
}

void FileDownload::request() {
    QNetworkRequest request(m_url);
    request.setRawHeader("User-Agent", "Navigator");
    // CivitAI answers downloads with a redirect to its file storage; the key is in the first URL only. Each
    // redirect is checked against the policy before it is followed (onRedirected).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::UserVerifiedRedirectPolicy);
    request.setMaximumRedirectsAllowed(kMaxRedirects);
    request.setTransferTimeout(m_stallTimeoutMs);
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::redirected, this, &FileDownload::onRedirected);
    m_reply->setReadBufferSize(kReadBufferBytes);
    connect(m_reply, &QNetworkReply::readyRead, this, &FileDownload::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &FileDownload::onFinished);
    connect(m_reply, &QNetworkReply::downloadProgress, this,
            [this](qint64, qint64 total) { emit progress(m_bytes, total > 0 ? total : -1); });
}

void FileDownload::onRedirected(const QUrl &target) {
    if (m_done || !m_reply)
        return;
    auto refuse = [this](const QString &why) {
        fail(QStringLiteral("UNSAFE_URL"), QStringLiteral("Refusing a redirect: ") + why);
        if (m_reply)
            m_reply->abort();
    };
    if (m_url.scheme() == QLatin1String("https") && target.scheme() != QLatin1String("https"))
        return refuse(QStringLiteral("from https to %1").arg(target.toDisplayString()));
    if (!m_policy) {
        emit m_reply->redirectAllowed();
        return;
    }
    m_policy->check(target, this, [this, refuse](const std::optional<QString> &refusal) {
        if (m_done || !m_reply)
            return;
        if (refusal)
            return refuse(*refusal);
        emit m_reply->redirectAllowed();
    });
}

void FileDownload::writeOffLoop(const QByteArray &chunk) {
    m_bytes += chunk.size();
    m_sink->queuedBytes += chunk.size();
    m_io->start([this, sink = m_sink, chunk] {
        common::enterWorkerPriority();
        if (!sink->failed) {
            sink->hash.addData(chunk);
            if (sink->file->write(chunk) != chunk.size()) {
                sink->writeError = sink->file->errorString();
                sink->failed = true;
            }
        }
        const qint64 left = sink->queuedBytes.fetch_sub(chunk.size()) - chunk.size();
        // Reading paused at the limit: resume once the backlog has halved. `this` outlives every task (the
        // destructor drains m_io first); the queued call is dropped if it is deleted meanwhile.
        if (left < kMaxQueuedBytes / 2 && sink->paused.exchange(false))
            QMetaObject::invokeMethod(this, &FileDownload::onReadyRead, Qt::QueuedConnection);
    });
}

void FileDownload::onReadyRead() {
    if (m_done || m_finishing || !m_reply)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) // error bodies are not model files; onFinished reports the status
        return;
    if (m_sink->failed) {
        m_reply->abort(); // the disk failed: onFinished reports it
        return;
    }
    while (m_reply->bytesAvailable() > 0) {
        if (m_sink->queuedBytes >= kMaxQueuedBytes) {
            m_sink->paused = true;
            // Either the I/O thread resumes us (it clears `paused`), or it drained before seeing the flag.
            if (m_sink->queuedBytes >= kMaxQueuedBytes / 2 || !m_sink->paused.exchange(false))
                return;
        }
        writeOffLoop(m_reply->read(kChunkBytes));
    }
}

void FileDownload::onFinished() {
    if (m_done || m_finishing || !m_reply)
        return;
    QNetworkReply *reply = m_reply;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200) // the rest is in memory already: hand it all over
        while (reply->bytesAvailable() > 0)
            writeOffLoop(reply->read(kChunkBytes));
    m_finishing = true;
    const qint64 declared = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    const bool cut = reply->error() != QNetworkReply::NoError;
    const QString networkError = reply->errorString();
    // The checks that need the written file run on the I/O thread after the last chunk.
    common::runInBackground(
        m_io.get(),
        [sink = m_sink, bytes = m_bytes, expected = m_expectedSha256, status, declared, cut,
         networkError]() -> Result {
            auto failed = [&](const QString &code, const QString &message) {
                sink->file->cancelWriting();
                sink->file->commit(); // returns false and removes the temporary file
                return Result{false, code, message, {}, bytes};
            };
            if (!sink->writeError.isEmpty())
                return failed(QStringLiteral("WRITE_FAILED"),
                              QStringLiteral("Writing the model failed: ") + sink->writeError);
            if (cut && status == 200)
                return failed(
                    QStringLiteral("DOWNLOAD_INCOMPLETE"),
                    QStringLiteral("The download was cut after %1 bytes: %2").arg(bytes).arg(networkError));
            if (status != 200)
                return failed(QStringLiteral("DOWNLOAD_FAILED"),
                              status
                                  ? QStringLiteral("The file server answered %1").arg(status)
                                  : QStringLiteral("The file server could not be reached: ") + networkError);
            if (declared > 0 && declared != bytes)
                return failed(QStringLiteral("DOWNLOAD_INCOMPLETE"),
                              QStringLiteral("Received %1 of %2 bytes").arg(bytes).arg(declared));
            const QString sha256 = QString::fromLatin1(sink->hash.result().toHex());
            if (!expected.isEmpty() && sha256 != expected)
                return failed(
                    QStringLiteral("CHECKSUM_MISMATCH"),
                    QStringLiteral("The file's SHA-256 is %1, CivitAI reports %2").arg(sha256, expected));
            if (!sink->file->commit()) // flushes, syncs and renames over the final name
                return failed(QStringLiteral("WRITE_FAILED"),
                              QStringLiteral("Saving the model failed: ") + sink->file->errorString());
            return Result{true, {}, {}, sha256, bytes};
        })
        .then(this, [this](const Result &result) {
            m_done = true;
            if (result.ok)
                qCInfo(lcDownload).noquote() << "saved" << m_sink->file->fileName() << result.bytes
                                             << "bytes, sha256" << result.sha256;
            else
                qCWarning(lcDownload).noquote()
                    << m_sink->file->fileName() << result.errorCode << result.message;
            emit finished(result);
        });
}

void FileDownload::fail(const QString &code, const QString &message) {
    if (m_done)
        return;
    m_done = true;
    qCWarning(lcDownload).noquote() << m_sink->file->fileName() << code << message;
    emit finished(Result{false, code, message, {}, m_bytes});
}

} // namespace nav::civitai
