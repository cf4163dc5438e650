#include "server/forge/ForgeClient.h"

#include "server/common/WorkerPriority.h"
#include "server/forge/HttpClient.h"

#include <QJsonArray>
#include <QLoggingCategory>

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

// The error of a call, or nothing when Forge answered below 400.
std::optional<ForgeError> classify(const HttpResult &result) {
    using Outcome = HttpResult::Outcome;
    switch (result.outcome) {
    case Outcome::Answered:
        if (result.status < 400)
            return std::nullopt;
        return ForgeError{
            QStringLiteral("HTTP_%1").arg(result.status),
            QStringLiteral("Forge answered %1: %2").arg(result.status).arg(forgeMessage(result.body)),
            result.status, false};
    case Outcome::TimedOut:
        return ForgeError{QStringLiteral("ETIMEDOUT"), QStringLiteral("Forge did not answer in time"), 0,
                          false};
    case Outcome::Refused:
        return ForgeError{QStringLiteral("ECONNREFUSED"), QStringLiteral("Forge refused the connection"), 0,
                          true};
    case Outcome::HostNotFound:
        return ForgeError{QStringLiteral("ENOTFOUND"), QStringLiteral("Forge host not found"), 0, true};
    case Outcome::Closed:
        return ForgeError{QStringLiteral("ECONNRESET"), QStringLiteral("Forge closed the connection"), 0,
                          false};
    case Outcome::Malformed:
        return ForgeError{
            QStringLiteral("EBADRESPONSE"),
            QStringLiteral("Forge sent an answer that is not valid HTTP (%1)").arg(result.detail),
            result.status, false};
    case Outcome::NetworkError:
        break;
    }
    return ForgeError{QStringLiteral("ENETWORK"), result.detail, 0, false};
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
    : QObject(parent), m_sdApiHost(sdApiHost), m_base(base), m_http(new HttpClient(this)) {}

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
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    if (method != "GET")
        request.contentType = QByteArrayLiteral("application/json");
    request.once = once;
    request.timeoutMs = timeoutMs;
    m_http->send(request, [this, done = std::move(done), method, path = url.path()](HttpResult result) {
        if (const std::optional<ForgeError> error = classify(result)) {
            qCWarning(lcForge).noquote() << method << path << "failed:" << error->code << error->message;
            done(QJsonDocument(), error);
            return;
        }
        auto deliver = [done, status = result.status](const Parsed &parsed) {
            if (!parsed.ok)
                done(QJsonDocument(),
                     ForgeError{QStringLiteral("EBADRESPONSE"),
                                QStringLiteral("Forge sent a body that is not JSON"), status, false});
            else
                done(parsed.doc, std::nullopt);
        };
        if (result.body.size() < kOffLoopJsonBytes)
            deliver(parseBody(result.body));
        else // a generation's answer with its images
            common::runInBackground([bytes = std::move(result.body)] {
                return parseBody(bytes);
            }).then(this, deliver);
    });
}

} // namespace nav::forge
