#include "admin-gui/ApiClient.h"

#include <QJsonParseError>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcApi, "navigator.admin.api")

namespace nav::admin {

namespace {

QString serverMessage(const QJsonObject &object) {
    for (const char *key : {"error", "message"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isString())
            return value.toString();
    }
    return {};
}

} // namespace

ApiClient::ApiClient(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this)) {}

void ApiClient::setBaseUrl(const QUrl &url) {
    m_baseUrl = url;
    // A trailing slash would double up with the root-relative paths.
    QString path = m_baseUrl.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    m_baseUrl.setPath(path);
}

bool ApiClient::looksLikeJwt(const QString &token) {
    static const QRegularExpression jwt(QStringLiteral("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$"));
    return jwt.match(token).hasMatch();
}

QByteArray ApiClient::authorizationFor(const QString &token) {
    if (token.isEmpty())
        return {};
    return looksLikeJwt(token) ? "Bearer " + token.toUtf8() : token.toUtf8();
}

QUrl ApiClient::urlFor(const QString &pathAndQuery) const {
    QUrl url = m_baseUrl;
    const int question = pathAndQuery.indexOf(QLatin1Char('?'));
    url.setPath(m_baseUrl.path() + pathAndQuery.left(question));
    if (question >= 0)
        url.setQuery(pathAndQuery.mid(question + 1));
    return url;
}

void ApiClient::get(const QString &pathAndQuery, QObject *context, Callback callback, bool authenticated) {
    send("GET", pathAndQuery, {}, authenticated, context, std::move(callback));
}

void ApiClient::post(const QString &path, const QJsonObject &body, QObject *context, Callback callback) {
    send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), true, context,
         std::move(callback));
}

void ApiClient::put(const QString &path, const QJsonObject &body, QObject *context, Callback callback) {
    send("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact), true, context, std::move(callback));
}

void ApiClient::send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                     bool authenticated, QObject *context, Callback callback) {
    QNetworkRequest request(urlFor(pathAndQuery));
    request.setTransferTimeout(m_timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    if (authenticated && !m_token.isEmpty())
        request.setRawHeader("Authorization", authorizationFor(m_token));
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, body);
    qCDebug(lcApi) << method << request.url().toString();
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this, [this, reply, guard, callback = std::move(callback)] {
        reply->deleteLater();
        const ApiReply result = finish(reply);
        if (!result.ok())
            qCDebug(lcApi) << reply->url().toString() << result.error.message;
        if (guard && callback)
            callback(result);
    });
}

ApiReply ApiClient::finish(QNetworkReply *reply) const {
    ApiReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen())
        result.body = reply->readAll();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    const QString where = reply->url().toString(QUrl::RemoveQuery);

    if (result.status == 0) {
        const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError ||
                              reply->error() == QNetworkReply::TimeoutError;
        result.error.kind = ApiError::Unreachable;
        result.error.message =
            timedOut ? QStringLiteral("%1: no answer within %2 s").arg(where).arg(m_timeoutMs / 1000)
                     : QStringLiteral("cannot reach %1: %2").arg(where, reply->errorString());
        return result;
    }

    QJsonParseError parseError{};
    if (result.contentType.startsWith("application/json") || result.body.startsWith('{') ||
        result.body.startsWith('['))
        result.json = QJsonDocument::fromJson(result.body, &parseError);
    const QJsonObject object = result.json.object();
    result.error.code = object.value(QStringLiteral("error_code")).toString();
    const QString detail = serverMessage(object);
    const auto describe = [&](const QString &what) {
        return detail.isEmpty() ? QStringLiteral("%1 (HTTP %2)").arg(what).arg(result.status)
                                : QStringLiteral("%1 (HTTP %2): %3").arg(what).arg(result.status).arg(detail);
    };

    switch (result.status) {
    case 401:
        result.error.kind = ApiError::BadToken;
        result.error.message = describe(QStringLiteral("token rejected"));
        return result;
    case 403:
        result.error.kind = ApiError::Forbidden;
        result.error.message = describe(QStringLiteral("not allowed"));
        return result;
    case 404:
        result.error.kind = ApiError::NotFound;
        result.error.message = describe(QStringLiteral("%1 not found").arg(reply->url().path()));
        return result;
    default:
        break;
    }
    if (result.status < 200 || result.status >= 300) {
        result.error.kind = ApiError::Http;
        result.error.message = describe(QStringLiteral("%1 failed").arg(reply->url().path()));
        return result;
    }
    if (result.contentType.startsWith("application/json") && parseError.error != QJsonParseError::NoError) {
        result.error.kind = ApiError::BadResponse;
        result.error.message =
            QStringLiteral("%1 answered invalid JSON: %2").arg(where, parseError.errorString());
    }
    return result;
}

} // namespace nav::admin
