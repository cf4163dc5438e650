#include "server/forge/ForgeClient.h"

#include "server/common/WorkerPriority.h"
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

Q_LOGGING_CATEGORY(lcForge, "navigator.forge")

namespace nav::forge {

namespace {

QUrl join(const QUrl &base, const QString &path) {
    QUrl url = base;
    QString basePath = url.path();
    if (basePath.endsWith('/'))
        basePath.chop(1);
    const int query = path.indexOf('?');
    url.setPath(basePath + (query < 0 ? path : path.left(query)));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    return url;
}

// Forge's error bodies: {"detail": "..."} (HTTPException), {"detail": [ {msg, loc} ]} (validation) or
// {"error", "message"} (generic exceptions). A message can quote a whole request field (stock Forge's
// ValueError for firstpass_image quotes the base64 image), so it is cut to a loggable length.
QString forgeMessage(const QByteArray &body) {
    constexpr int kMaxMessageChars = 500;
    const auto clip = [](const QString &text) {
        return text.size() <= kMaxMessageChars ? text : text.left(kMaxMessageChars) + QStringLiteral("...");
    };
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    if (object.value("message").isString() && !object.value("message").toString().isEmpty())
        return clip(object.value("message").toString());
    const QJsonValue detail = object.value("detail");
    if (detail.isString())
        return clip(detail.toString());
    if (detail.isArray() && !detail.toArray().isEmpty()) {
        const QJsonObject first = detail.toArray().first().toObject();
        return first.value("msg").toString() + QStringLiteral(" (") +
               QJsonDocument(first.value("loc").toArray()).toJson(QJsonDocument::Compact) + ')';
    }
    return QString::fromUtf8(body.left(200));
}

ForgeError classify(QNetworkReply *reply, bool timedOut, const QByteArray &body) {
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (timedOut)
        return {QStringLiteral("ETIMEDOUT"), QStringLiteral("Forge did not answer in time"), 0, false};
    if (status >= 400)
        return {QStringLiteral("HTTP_%1").arg(status),
                QStringLiteral("Forge answered %1: %2").arg(status).arg(forgeMessage(body)), status, false};
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return {QStringLiteral("ECONNREFUSED"), QStringLiteral("Forge refused the connection"), 0, true};
    case QNetworkReply::HostNotFoundError:
        return {QStringLiteral("ENOTFOUND"), QStringLiteral("Forge host not found"), 0, true};
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::ContentReSendError: // a postOnce() body that Qt wanted to send a second time
        return {QStringLiteral("ECONNRESET"), QStringLiteral("Forge closed the connection"), 0, false};
    case QNetworkReply::OperationCanceledError:
        return {QStringLiteral("ECANCELED"), QStringLiteral("The request to Forge was cancelled"), 0, false};
    default:
        return {QStringLiteral("ENETWORK"), reply->errorString(), 0, false};
    }
}

// JSON bodies that are probably this big or bigger (img2img init images, png-info of a finished image,
// Forge's answers with the generated images) are serialised and parsed on a worker thread, not on the event
// loop.
constexpr qsizetype kOffLoopJsonBytes = 256 * 1024;

// A lower bound of the serialised size, from the strings at the top level and one level down (where Forge
// payloads keep their base64 images).
qsizetype approximateSize(const QJsonObject &body) {
    qsizetype size = 0;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const QJsonValue value = it.value();
        if (value.isString())
            size += value.toString().size();
        else if (value.isArray())
            for (const QJsonValue &item : value.toArray())
                size += item.isString() ? item.toString().size() : 0;
    }
    return size;
}

struct Parsed {
    QJsonDocument doc;
    bool ok = true;
};

Parsed parseBody(const QByteArray &bytes) {
    QJsonParseError parseError{};
    QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    // Forge answers `null` for several POSTs; QJsonDocument cannot hold a bare null, which is fine here.
    const bool ok = parseError.error == QJsonParseError::NoError || bytes.trimmed() == "null" ||
                    bytes.trimmed().isEmpty();
    return {std::move(doc), ok};
}

// The body of a postOnce() call. Qt rewinds the upload device before it (re)sends a request on a fresh
// connection; refusing to rewind once the bytes were read makes Qt fail the reply with ContentReSendError
// instead of re-sending it.
class OneShotBody : public QIODevice {
public:
    OneShotBody(QByteArray data, QObject *parent) : QIODevice(parent), m_data(std::move(data)) {
        open(QIODevice::ReadOnly);
    }
    bool isSequential() const override { return false; }
    qint64 size() const override { return m_data.size(); }
    bool reset() override { return m_read == 0 && QIODevice::reset(); }
    bool seek(qint64 pos) override { return (m_read == 0 || pos == this->pos()) && QIODevice::seek(pos); }

protected:
    qint64 readData(char *out, qint64 max) override {
        const qint64 n = qMin(max, qint64(m_data.size()) - pos());
        if (n <= 0)
            return n == 0 ? 0 : -1;
        memcpy(out, m_data.constData() + pos(), size_t(n));
        m_read += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_read = 0;
};

} // namespace

QString backendName(const QUrl &sdApiHost) {
    const int port = sdApiHost.port(sdApiHost.scheme() == QLatin1String("https") ? 443 : 80);
    return sdApiHost.host() + QLatin1Char(':') + QString::number(port);
}

void ForgeClient::setTarget(const QUrl &sdApiHost, const QUrl &base) {
    m_sdApiHost = sdApiHost;
    m_base = base;
}

ForgeClient::ForgeClient(const QUrl &sdApiHost, const QUrl &base, QObject *parent)
    : QObject(parent), m_sdApiHost(sdApiHost), m_base(base), m_network(new QNetworkAccessManager(this)) {
    m_network->setAutoDeleteReplies(true);
}

void ForgeClient::get(const QString &path, JsonCallback done, int timeoutMs) {
    send(join(m_sdApiHost, path), "GET", {}, std::move(done), timeoutMs);
}

void ForgeClient::post(const QString &path, const QJsonObject &body, JsonCallback done, int timeoutMs) {
    sendJson(join(m_sdApiHost, path), body, std::move(done), timeoutMs);
}

void ForgeClient::postOnce(const QString &path, const QJsonObject &body, JsonCallback done, int timeoutMs) {
    sendJson(join(m_sdApiHost, path), body, std::move(done), timeoutMs, true);
}

void ForgeClient::postRoot(const QString &path, const QJsonObject &body, JsonCallback done, int timeoutMs) {
    sendJson(join(m_base, path), body, std::move(done), timeoutMs);
}

void ForgeClient::sendJson(const QUrl &url, const QJsonObject &body, JsonCallback done, int timeoutMs,
                           bool once) {
    if (approximateSize(body) < kOffLoopJsonBytes) {
        send(url, "POST", QJsonDocument(body).toJson(QJsonDocument::Compact), std::move(done), timeoutMs,
             once);
        return;
    }
    common::runInBackground([body] {
        return QJsonDocument(body).toJson(QJsonDocument::Compact);
    }).then(this, [this, url, timeoutMs, once, done = std::move(done)](const QByteArray &bytes) {
        send(url, "POST", bytes, done, timeoutMs, once);
    });
}

void ForgeClient::send(const QUrl &url, const QByteArray &method, const QByteArray &body, JsonCallback done,
                       int timeoutMs, bool once) {
    // Credentials in SD_API_HOST (Forge --api-auth) go out up front as Basic auth: Qt would otherwise wait
    // for the 401 challenge and then re-send, which a postOnce() body refuses. The URL itself never carries
    // them.
    QNetworkRequest request(url.adjusted(QUrl::RemoveUserInfo));
    if (!url.userName().isEmpty())
        request.setRawHeader("Authorization", "Basic " + (url.userName(QUrl::FullyDecoded) +
                                                          QLatin1Char(':') + url.password(QUrl::FullyDecoded))
                                                             .toUtf8()
                                                             .toBase64());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(0); // our own timer below covers the whole call, not just idle time
    QNetworkReply *reply = nullptr;
    if (once) {
        request.setHeader(QNetworkRequest::ContentLengthHeader, body.size());
        request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        auto *device = new OneShotBody(body, nullptr);
        reply = m_network->sendCustomRequest(request, method, device);
        device->setParent(reply);
    } else {
        reply = m_network->sendCustomRequest(request, method, body);
    }
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    auto timedOut = std::make_shared<bool>(false);
    connect(timer, &QTimer::timeout, reply, [reply, timedOut] {
        *timedOut = true;
        reply->abort();
    });
    timer->start(timeoutMs);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, timedOut, done = std::move(done), method, url] {
                const QByteArray bytes = reply->readAll();
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (reply->error() != QNetworkReply::NoError || status >= 400) {
                    ForgeError error = classify(reply, *timedOut, bytes);
                    qCWarning(lcForge).noquote()
                        << method << url.path() << "failed:" << error.code << error.message;
                    done(QJsonDocument(), error);
                    return;
                }
                auto deliver = [done, status](const Parsed &parsed) {
                    if (!parsed.ok)
                        done(QJsonDocument(),
                             ForgeError{QStringLiteral("EBADRESPONSE"),
                                        QStringLiteral("Forge sent a body that is not JSON"), status, false});
                    else
                        done(parsed.doc, std::nullopt);
                };
                if (bytes.size() < kOffLoopJsonBytes)
                    deliver(parseBody(bytes));
                else // a generation's answer with its images
                    common::runInBackground([bytes] { return parseBody(bytes); }).then(this, deliver);
            });
}

} // namespace nav::forge
