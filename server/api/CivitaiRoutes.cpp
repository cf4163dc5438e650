#include "server/api/CivitaiRoutes.h"

#include "server/civitai/CivitaiClient.h"
#include "server/civitai/CivitaiProxyUrl.h"
#include "server/civitai/ModelDownloadService.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace nav::api {

namespace {

const QString kProxyPrefix = QStringLiteral("/3papi/civitai/api-proxy/");

void relay(http::Responder &res, const civitai::CivitaiReply &reply) {
    if (reply.errorCode == QLatin1String("CIVITAI_TIMEOUT"))
        return res.error(504, reply.errorMessage, reply.errorCode);
    if (!reply.errorCode.isEmpty())
        return res.error(502, reply.errorMessage, reply.errorCode);
    QJsonParseError parseError{};
    QJsonDocument::fromJson(reply.body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return res.error(502, QStringLiteral("CivitAI answered %1 without JSON").arg(reply.status),
                         QStringLiteral("CIVITAI_BAD_RESPONSE"));
    res.send(reply.status, reply.body, "application/json; charset=utf-8");
}

} // namespace

void testCivitai(Services &s, const http::Request &, http::Responder res, const auth::Caller &) {
    s.civitai->checkAuthenticated([res](bool ok) mutable {
        res.json(200, QJsonObject{{"isAuthenticated", ok}});
    });
}

void getDownloadsEnabled(Services &s, const http::Request &, http::Responder res, const auth::Caller &) {
    if (!s.downloads->modelDirSet())
        return res.json(200,
                        QJsonObject{{"downloadsEnabled", false}, {"message", "Model directory not set"}});
    s.civitai->checkAuthenticated([res](bool ok) mutable {
        if (!ok)
            return res.json(
                200, QJsonObject{{"downloadsEnabled", false}, {"message", "CivitAI authentication failed"}});
        res.json(200, QJsonObject{{"downloadsEnabled", true}});
    });
}

void downloadModel(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    if (req.method == "HEAD") // HEAD is routed to GET, but must not start a download
        return res.error(405, QStringLiteral("Use GET to download a model"),
                         QStringLiteral("METHOD_NOT_ALLOWED"));
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,15}$"));
    const QString id = req.param("modelVersionId");
    if (!digits.match(id).hasMatch() || id.toLongLong() <= 0)
        return res.error(400, QStringLiteral("modelVersionId must be a positive whole number"),
                         QStringLiteral("INVALID_MODEL_VERSION_ID"));
    // Compass waits for this answer: it comes when the file is in place (or the download failed).
    s.downloads->download(id.toLongLong(), [res](const civitai::DownloadAnswer &answer) mutable {
        if (answer.errorCode.isEmpty())
            return res.json(answer.status, QJsonObject{{"message", answer.message}});
        res.error(answer.status, answer.message, answer.errorCode);
    });
}

void proxyCivitai(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    // The raw (still percent-encoded) path is checked, so encoded tricks are seen for what they are.
    const QString encodedPath = req.url.path(QUrl::FullyEncoded);
    const auto url = encodedPath.startsWith(kProxyPrefix)
                         ? civitai::civitaiProxyUrl(s.civitai->base(), encodedPath.mid(kProxyPrefix.size()),
                                                    req.url.query(QUrl::FullyEncoded))
                         : std::nullopt;
    if (!url)
        return res.error(400, QStringLiteral("This path cannot be proxied to CivitAI"),
                         QStringLiteral("INVALID_PROXY_PATH"));
    s.civitai->get(*url, [res](const civitai::CivitaiReply &reply) mutable { relay(res, reply); });
}

} // namespace nav::api
