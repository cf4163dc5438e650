#pragma once
// The HTML page behind GET /embed/:jobId, which Discord reads for its link preview (og:image). The template
// is resources/embed.html, compiled in; every value put into it is HTML-escaped.
#include <QByteArray>
#include <QString>

#include <optional>

namespace nav::api {

// Escapes & < > " ' for use in HTML text and attribute values.
QString htmlEscape(const QString &text);

// The page for `jobId` with og:image at https://<host>/api/images/<jobId> (Discord requires https).
// nullopt when `host` is not a plausible Host header value (name or address, optional port).
std::optional<QByteArray> renderEmbedPage(const QString &host, const QString &jobId);

} // namespace nav::api
