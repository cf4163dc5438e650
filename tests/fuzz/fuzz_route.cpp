// Fuzz target for route matching and percent-decoding (server/http/RoutePattern, Request's encoded path):
// a path is split into segments before any segment is decoded, so an encoded slash or dot can never move a
// request onto another route. Checks, for the API's own route shapes: a match has exactly the pattern's
// number of segments, literal segments equal the decoded input, and captured ids keep any '/' they decode to
// inside one capture.
#include "server/http/RoutePattern.h"
#include "tests/fuzz/FuzzCheck.h"

#include <QUrl>

using namespace nav;
using nav::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const QList<http::RoutePattern> routes = [] {
        QList<http::RoutePattern> list;
        for (const char *p :
             {"/", "/api/images/:jobId", "/api/images/:jobId/info", "/api/admin/users/:id/role",
              "/api/admin/authorize-user/:discordId", "/api/user/category/:id", "/3papi/civitai/api-proxy/*",
              "/api/queue/jobs/:jobId"})
            list << http::RoutePattern(QString::fromLatin1(p));
        return list;
    }();
    const QByteArray input = fuzz::bytesOf(data, size);
    // As the server gets it: a request target parsed by QUrl, matched on its encoded path.
    const QUrl url(QString::fromLatin1("http://h") + QString::fromUtf8(input), QUrl::TolerantMode);
    const QString encoded = url.path(QUrl::FullyEncoded);
    const QStringList rawSegments = encoded.split('/', Qt::SkipEmptyParts);
    for (const http::RoutePattern &route : routes) {
        const auto params = route.match(encoded);
        if (!params)
            continue;
        const QStringList patternSegments = route.text().split('/', Qt::SkipEmptyParts);
        const bool wildcard = !patternSegments.isEmpty() && patternSegments.last() == QLatin1String("*");
        if (!wildcard)
            check(rawSegments.size() == patternSegments.size());
        for (qsizetype i = 0; i < patternSegments.size() && i < rawSegments.size(); ++i) {
            const QString &segment = patternSegments[i];
            const QString decoded = QUrl::fromPercentEncoding(rawSegments[i].toUtf8());
            if (segment.startsWith(':'))
                check(params->value(segment.mid(1)) == decoded);
            else if (segment != QLatin1String("*"))
                check(segment == decoded);
        }
    }
    return 0;
}
