#include "admin-gui/ConnectionSettings.h"

#include <QSettings>

namespace nav::admin {

namespace {
const QString kHttpUrl = QStringLiteral("connection/http_url");
const QString kRealtimeUrl = QStringLiteral("connection/realtime_url");
const QString kToken = QStringLiteral("connection/token");
const QString kRemember = QStringLiteral("connection/remember_token");
} // namespace

QUrl ConnectionSettings::defaultRealtimeUrl(const QUrl &httpUrl) {
    if (!httpUrl.isValid() || httpUrl.host().isEmpty())
        return {};
    QUrl url;
    url.setScheme(httpUrl.scheme());
    url.setHost(httpUrl.host());
    if (httpUrl.port() > 0)
        url.setPort(httpUrl.port() + 1);
    return url;
}

QUrl ConnectionSettings::normaliseUrl(const QString &text) {
    QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (!trimmed.contains(QStringLiteral("://")))
        trimmed.prepend(QStringLiteral("http://"));
    QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return {};
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path);
    return url;
}

ConnectionSettings ConnectionSettings::load(QSettings &settings) {
    ConnectionSettings result;
    result.httpUrl = QUrl(settings.value(kHttpUrl).toString());
    result.realtimeUrl = QUrl(settings.value(kRealtimeUrl).toString());
    result.rememberToken = settings.value(kRemember, false).toBool();
    if (result.rememberToken)
        result.token = settings.value(kToken).toString();
    return result;
}

void ConnectionSettings::save(QSettings &settings) const {
    settings.setValue(kHttpUrl, httpUrl.toString());
    settings.setValue(kRealtimeUrl, realtimeUrl.toString());
    settings.setValue(kRemember, rememberToken);
    if (rememberToken)
        settings.setValue(kToken, token);
    else
        settings.remove(kToken);
}

} // namespace nav::admin
