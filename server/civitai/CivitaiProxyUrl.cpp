#include "server/civitai/CivitaiProxyUrl.h"

#include <QRegularExpression>
#include <QStringList>

namespace nav::civitai {

std::optional<QUrl> civitaiProxyUrl(const QUrl &base, const QString &encodedPath,
                                    const QString &encodedQuery) {
    static const QRegularExpression plainSegment(QStringLiteral("^[A-Za-z0-9._~-]+$"));
    if (encodedPath.isEmpty())
        return std::nullopt;
    QStringList segments;
    for (const QString &raw : encodedPath.split('/')) {
        const QString segment = QUrl::fromPercentEncoding(raw.toUtf8());
        if (!plainSegment.match(segment).hasMatch() || segment == "." || segment == "..")
            return std::nullopt;
        segments << segment;
    }
    // Queries are passed on as sent; they cannot alter the host or path, but a fragment marker is refused.
    if (encodedQuery.contains('#'))
        return std::nullopt;

    QUrl url = base;
    QString basePath = base.path();
    if (!basePath.endsWith('/'))
        basePath += '/';
    url.setPath(basePath + segments.join('/'));
    url.setQuery(encodedQuery.isEmpty() ? QString() : encodedQuery, QUrl::TolerantMode);
    url.setFragment(QString());
    // Belt and braces: the result must still be below the base, on the same origin.
    if (!url.isValid() || url.scheme() != base.scheme() || url.host() != base.host() ||
        url.port(-1) != base.port(-1) || !url.path().startsWith(basePath))
        return std::nullopt;
    return url;
}

} // namespace nav::civitai
