#include "server/api/EmbedRoutes.h"

#include "server/api/EmbedPage.h"

namespace nav::api {

void registerEmbedRoutes(http::HttpServer &server, store::ImageRepository &images, QObject *context) {
    server.get("/embed/:jobId", [&images, context](const http::Request &req, http::Responder res) {
        const QString jobId = req.param("jobId");
        const QString host = QString::fromUtf8(req.header("host"));
        images.meta(jobId)
            .then(context,
                  [res, jobId, host](const std::optional<store::ImageMeta> &image) mutable {
                      if (!image)
                          return res.error(404, QStringLiteral("Job not found"),
                                           QStringLiteral("JOB_NOT_FOUND"));
                      const auto page = renderEmbedPage(host, jobId);
                      if (!page)
                          return res.error(400, QStringLiteral("The Host header is not valid"),
                                           QStringLiteral("INVALID_HOST"));
                      res.send(200, *page, "text/html; charset=utf-8");
                  })
            .onFailed(context, [res](const store::DbError &) mutable {
                res.error(500, QStringLiteral("The job could not be read"), QStringLiteral("DATABASE_ERROR"));
            });
    });
}

} // namespace nav::api
