#pragma once
// One HTTP request of the API port as its handlers see it, safe to keep after the handler returns.
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <QUrlQuery>
#include <optional>

class QHostAddress;

namespace nav::http {

struct HttpRequest;

struct Request {
    QByteArray method; // upper case: GET, POST, ...
    QUrl url;
    QString path;        // decoded path, e.g. /api/images/abc (for logs and messages)
    QString encodedPath; // the path as sent, percent-encoded: what routes are matched against
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QString remoteAddress;          // IPv4 addresses are given without the ::ffff: prefix
    QHash<QString, QString> params; // :name captures of the matched route

    // From a request read by RequestReader; peer is the connection's address.
    static Request fromHttp(const HttpRequest &request, const QHostAddress &peer);

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QString param(const QString &name) const { return params.value(name); }
    // Query value, or nullopt when the key is absent.
    std::optional<QString> queryValue(const QString &key) const;
    // The body as a JSON object; an empty body is {}. nullopt when the body is not a JSON object.
    std::optional<QJsonObject> jsonBody() const;
};

} // namespace nav::http
