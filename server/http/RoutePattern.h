#pragma once
// Express-style path patterns: "/api/user/image/:id" captures one segment; a final "*" captures the rest
// of the path (possibly empty) under the name "*". match() takes the path as sent (percent-encoded), splits
// it into segments first and decodes each one after, so an encoded slash (%2F) stays inside its segment and
// can never make a path reach another route.
#include <QHash>
#include <QString>
#include <QStringList>
#include <optional>

namespace nav::http {

class RoutePattern {
public:
    explicit RoutePattern(const QString &pattern);
    std::optional<QHash<QString, QString>> match(const QString &encodedPath) const;
    // The same for a path already cut by segments(): the server cuts each request path once, not per route.
    std::optional<QHash<QString, QString>> match(const QStringList &decodedSegments) const;
    // The path's segments, each percent-decoded after the split.
    static QStringList segments(const QString &encodedPath);
    const QString &text() const { return m_text; }

private:
    QString m_text;
    QStringList m_segments;
    bool m_wildcard = false;
};

} // namespace nav::http
