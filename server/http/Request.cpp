#include "server/http/Request.h"

#include "server/http/RequestReader.h"
#include "shared/JsonUtil.h"

#include <QHostAddress>

namespace nav::http {

Request Request::fromHttp(const HttpRequest &request, const QHostAddress &peer) {
    Request r;
    r.method = request.head.method;
    // The target as sent (the framing allows printable ASCII only). An origin-form target is split by hand:
    // QUrl would read "//x/y" as an authority.
    QByteArray target = request.head.target;
    if (const qsizetype hash = target.indexOf('#'); hash >= 0)
        target.truncate(hash);
    if (target.startsWith('/')) {
        const qsizetype question = target.indexOf('?');
        r.url.setPath(QString::fromLatin1(question < 0 ? target : target.left(question)), QUrl::TolerantMode);
        if (question >= 0)
            r.url.setQuery(QString::fromLatin1(target.mid(question + 1)), QUrl::TolerantMode);
    } else { // absolute form (or "*")
        r.url = QUrl::fromEncoded(target);
    }
    r.path = r.url.path(QUrl::FullyDecoded);
    r.encodedPath = r.url.path(QUrl::FullyEncoded);
    r.query = QUrlQuery(r.url);
    r.headers.reserve(request.head.fields.size());
    for (const auto &[name, value] : request.head.fields) // names are lower case; the last repeat wins
        r.headers.insert(name, value);
    r.body = request.body;
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    r.remoteAddress = isV4 ? QHostAddress(v4).toString() : peer.toString();
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
