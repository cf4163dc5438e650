#include "server/http/Responder.h"

#include "server/http/HttpLogging_p.h"
#include "server/http/ResponderState_p.h"
#include "server/ops/ServiceMetrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

Q_LOGGING_CATEGORY(lcHttp, "navigator.http")

namespace nav::http {

const HeaderList &corsHeaders() {
    static const HeaderList headers{
        {"Access-Control-Allow-Origin", "*"},
        {"Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
        {"Access-Control-Allow-Headers",
         "Authorization, Content-Type, Accept, X-Requested-With, If-None-Match"},
        {"Access-Control-Expose-Headers", "ETag, Content-Length"},
        {"Access-Control-Max-Age", "86400"},
    };
    return headers;
}

namespace {

// "Name: value\r\n" for every header of an answer: CORS, the content type, then the handler's own.
QByteArray headerBlock(const QByteArray &contentType, const HeaderList &extra) {
    static const QByteArray cors = [] {
        QByteArray bytes;
        for (const auto &[name, value] : corsHeaders())
            bytes += name + ": " + value + "\r\n";
        return bytes;
    }();
    QByteArray bytes = cors;
    if (!contentType.isEmpty())
        bytes += "Content-Type: " + contentType + "\r\n";
    for (const auto &[name, value] : extra)
        bytes += name + ": " + value + "\r\n";
    return bytes;
}

} // namespace

Responder::State::~State() {
    if (!answered && answer.isOpen()) {
        qCWarning(lcHttp) << method << path << "was dropped without an answer";
        write(500,
              QJsonDocument(QJsonObject{{"error", "Internal error: the request was not answered"},
                                        {"error_code", "INTERNAL_ERROR"}})
                  .toJson(QJsonDocument::Compact),
              "application/json", {});
    }
}

void Responder::State::write(int status, const QByteArray &body, const QByteArray &contentType,
                             const HeaderList &extra) {
    if (answered)
        return;
    answered = true;
    const qint64 elapsed = timer.elapsed();
    auto &metrics = ops::metrics();
    metrics.httpRequests.inc({QString::fromLatin1(method), route, ops::statusClass(status)});
    metrics.httpDuration.observe(static_cast<double>(elapsed) / 1000.0, {route});
    if (!answer.isOpen()) {
        clientLeft = true;
        qCDebug(lcHttp).noquote() << method << path << status << "(client gone)";
        return;
    }
    // The connection adds Content-Length and leaves the body out for HEAD (the GET route's headers).
    answer.write(status, headerBlock(contentType, extra), body);
    logAccess(status, body, contentType, elapsed);
}

void Responder::State::logAccess(int status, const QByteArray &body, const QByteArray &contentType,
                                 qint64 elapsedMs) const {
    if (accessLog == AccessLog::Off || (accessLog == AccessLog::Errors && status < 400))
        return;
    QString line =
        QStringLiteral("%1 %2 %3 %4ms").arg(QString::fromLatin1(method), path).arg(status).arg(elapsedMs);
    // The error code says why; the message is left out (it can quote the request).
    if (status >= 400 && contentType.startsWith("application/json")) {
        const QString code = QJsonDocument::fromJson(body).object().value("error_code").toString();
        if (!code.isEmpty())
            line += QLatin1Char(' ') + code;
    }
    if (status >= 500)
        qCWarning(lcHttp).noquote() << line;
    else
        qCInfo(lcHttp).noquote() << line;
}

Responder::Responder(std::shared_ptr<State> state) : m_state(std::move(state)) {}

void Responder::json(int status, const QJsonValue &body) {
    QByteArray bytes;
    if (body.isObject())
        bytes = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    else if (body.isArray())
        bytes = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    else // scalars: wrap in an array and strip the brackets
        bytes = QJsonDocument(QJsonArray{body}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    send(status, bytes, "application/json; charset=utf-8");
}

void Responder::error(int status, const QString &message, const QString &code, const HeaderList &extra) {
    QJsonObject body{{"error", message}};
    if (!code.isEmpty())
        body.insert("error_code", code);
    send(status, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json; charset=utf-8",
         extra);
}

void Responder::send(int status, const QByteArray &body, const QByteArray &contentType,
                     const HeaderList &extra) {
    m_state->write(status, body, contentType, extra);
}

void Responder::noContent() {
    send(204, {}, {});
}

bool Responder::answered() const {
    return m_state->answered;
}

bool Responder::clientGone() const {
    // The handle closes when the answer is written, too: before that, closed means the client left.
    return m_state->clientLeft || (!m_state->answered && !m_state->answer.isOpen());
}

} // namespace nav::http
