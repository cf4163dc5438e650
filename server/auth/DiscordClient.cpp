#include "server/auth/DiscordClient.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcDiscord, "navigator.auth.discord")

namespace nav::auth {

DiscordClient::DiscordClient(DiscordSettings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)) {}

QNetworkAccessManager *DiscordClient::network() {
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    return m_network;
}

QUrl DiscordClient::endpoint(const QString &path) const {
    QString base = m_settings.apiBase.toString(QUrl::FullyEncoded);
    while (base.endsWith('/'))
        base.chop(1);
    return QUrl(base + path);
}

void DiscordClient::exchangeCode(const QString &code, Callback done) {
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("client_id"), m_settings.clientId);
    form.addQueryItem(QStringLiteral("client_secret"), m_settings.clientSecret);
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("redirect_uri"), m_settings.redirectUri);
    form.addQueryItem(QStringLiteral("scope"), QStringLiteral("identify"));
    QNetworkRequest request(endpoint(QStringLiteral("/oauth2/token")));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    // QUrlQuery leaves '+' alone, which a form decoder would read as a space.
    const QByteArray body = form.toString(QUrl::FullyEncoded).toUtf8().replace('+', "%2B");
    send(request, "POST", body, std::move(done));
}

void DiscordClient::currentUser(const QString &accessToken, Callback done) {
    QNetworkRequest request(endpoint(QStringLiteral("/users/@me")));
    request.setRawHeader("Authorization", "Bearer " + accessToken.toUtf8());
    send(request, "GET", {}, std::move(done));
}

void DiscordClient::userById(const QString &discordId, Callback done) {
    QNetworkRequest request(
        endpoint(QStringLiteral("/users/") + QString::fromLatin1(QUrl::toPercentEncoding(discordId))));
    request.setRawHeader("Authorization", "Bot " + m_settings.botToken.toUtf8());
    send(request, "GET", {}, std::move(done));
}

void DiscordClient::send(QNetworkRequest request, const QByteArray &method, const QByteArray &body,
                         Callback done) {
    request.setTransferTimeout(m_settings.timeoutMs);
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("User-Agent", "DiscordBot (https://github.com/BitForged/Navigator, 1.0)");
    QNetworkReply *reply = network()->sendCustomRequest(request, method, body);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done), url = request.url()] {
        reply->deleteLater();
        DiscordReply result;
        result.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        const QJsonDocument doc = QJsonDocument::fromJson(bytes);
        result.body = doc.object();
        if (result.httpStatus == 0) {
            result.error = QStringLiteral("no answer: %1").arg(reply->errorString());
        } else if (result.httpStatus < 200 || result.httpStatus > 299) {
            result.error =
                QStringLiteral("HTTP %1: %2").arg(result.httpStatus).arg(QString::fromUtf8(bytes.left(200)));
        } else if (!doc.isObject()) {
            result.error = QStringLiteral("answer is not a JSON object");
        } else {
            result.ok = true;
        }
        if (!result.ok)
            qCWarning(lcDiscord).noquote() << url.path() << "failed:" << result.error;
        done(result);
    });
}

} // namespace nav::auth
