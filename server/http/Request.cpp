#include "server/http/Request.h"

#include "shared/JsonUtil.h"

#include <QHostAddress>
#include <QHttpServerRequest>

namespace nav::http {

namespace {

QByteArray methodName(QHttpServerRequest::Method method) {
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

} // namespace

Request Request::fromQt(const QHttpServerRequest &request) {
    Request r;
    r.method = methodName(request.method());
    r.url = request.url();
    r.path = r.url.path(QUrl::FullyDecoded);
    r.encodedPath = r.url.path(QUrl::FullyEncoded);
    r.query = request.query();
    for (const auto &pair : request.headers())
        r.headers.insert(pair.first.toLower(), pair.second);
    r.body = request.body();
    QHostAddress address = request.remoteAddress();
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    r.remoteAddress = isV4 ? QHostAddress(v4).toString() : address.toString();
    return r;
}

std::optional<QString> Request::queryValue(const QString &key) const {
    if (!query.hasQueryItem(key))
        return std::nullopt;
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

std::optional<QJsonObject> Request::jsonBody() const {
    return json::parseObject(body);
}

} // namespace nav::http
