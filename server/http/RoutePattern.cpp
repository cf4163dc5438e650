#include "server/http/RoutePattern.h"

#include <QUrl>

namespace nav::http {

RoutePattern::RoutePattern(const QString &pattern) : m_text(pattern) {
    m_segments = pattern.split('/', Qt::SkipEmptyParts);
    if (!m_segments.isEmpty() && m_segments.last() == QLatin1String("*")) {
        m_wildcard = true;
        m_segments.removeLast();
    }
}

namespace {
QString decodeSegment(const QString &segment) {
    return segment.contains(QLatin1Char('%')) ? QUrl::fromPercentEncoding(segment.toUtf8()) : segment;
}
} // namespace

QStringList RoutePattern::segments(const QString &encodedPath) {
    QStringList parts = encodedPath.split('/', Qt::SkipEmptyParts);
    for (QString &part : parts)
        part = decodeSegment(part);
    return parts;
}

std::optional<QHash<QString, QString>> RoutePattern::match(const QString &encodedPath) const {
    return match(segments(encodedPath));
}

std::optional<QHash<QString, QString>> RoutePattern::match(const QStringList &parts) const {
    if (parts.size() < m_segments.size() || (!m_wildcard && parts.size() != m_segments.size()))
        return std::nullopt;
    QHash<QString, QString> params;
    for (int i = 0; i < m_segments.size(); ++i) {
        const QString &segment = m_segments[i];
        if (segment.startsWith(':'))
            params.insert(segment.mid(1), parts[i]);
        else if (segment != parts[i])
            return std::nullopt;
    }
    if (m_wildcard)
        params.insert(QStringLiteral("*"), parts.mid(m_segments.size()).join('/'));
    return params;
}

} // namespace nav::http
