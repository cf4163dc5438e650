#include "server/api/EmbedPage.h"

#include <QFile>
#include <QRegularExpression>
#include <QUrl>

namespace nav::api {

QString htmlEscape(const QString &text) {
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '&':
            out += QLatin1String("&amp;");
            break;
        case '<':
            out += QLatin1String("&lt;");
            break;
        case '>':
            out += QLatin1String("&gt;");
            break;
        case '"':
            out += QLatin1String("&quot;");
            break;
        case '\'':
            out += QLatin1String("&#39;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::optional<QByteArray> renderEmbedPage(const QString &host, const QString &jobId) {
    static const QRegularExpression plausibleHost(
        QStringLiteral("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:\\d{1,5})?$"));
    if (!plausibleHost.match(host).hasMatch())
        return std::nullopt;
    QFile file(QStringLiteral(":/embed.html"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("embed.html is missing from the resources");
    QString page = QString::fromUtf8(file.readAll());
    const QString imageUrl = QStringLiteral("https://%1/api/images/%2")
                                 .arg(host, QString::fromLatin1(QUrl::toPercentEncoding(jobId)));
    page.replace(QLatin1String("{{title}}"), htmlEscape(QStringLiteral("BitJourney Job")));
    page.replace(QLatin1String("{{description}}"),
                 htmlEscape(QStringLiteral("Served by BitJourney Navigator")));
    page.replace(QLatin1String("{{image_url}}"), htmlEscape(imageUrl));
    return page.toUtf8();
}

} // namespace nav::api
