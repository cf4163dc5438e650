#pragma once
// Builds the upstream URL for GET /3papi/civitai/api-proxy/<path>?<query>. The path comes from the client,
// so it is checked segment by segment after percent-decoding: only plain names ([A-Za-z0-9._~-], not "."
// or "..") are allowed. That rules out "../", encoded slashes or dots, backslashes, "//host", "scheme:"
// and anything else that could change the host or scheme or leave the base path (/api/v1/).
#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace nav::civitai {

// `encodedPath` is the part of the request path after the proxy prefix, still percent-encoded;
// `encodedQuery` is the request's query string as received. nullopt when the path is not acceptable.
std::optional<QUrl> civitaiProxyUrl(const QUrl &base, const QString &encodedPath,
                                    const QString &encodedQuery);

} // namespace nav::civitai
