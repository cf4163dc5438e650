#include "server/api/EmbedRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/EmbedPage.h"
#include "server/store/ImageRepository.h"

namespace nav::api {

void getEmbedPage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString jobId = req.param("jobId");
    const QString host = QString::fromUtf8(req.header("host"));
    whenReady(s.images->meta(jobId), res,
              [res, jobId, host](const std::optional<store::ImageMeta> &image) mutable {
                  if (!image)
                      return res.error(404, QStringLiteral("Job not found"), QStringLiteral("JOB_NOT_FOUND"));
                  const auto page = renderEmbedPage(host, jobId);
                  if (!page)
                      return res.error(400, QStringLiteral("The Host header is not valid"),
                                       QStringLiteral("INVALID_HOST"));
                  res.send(200, *page, "text/html; charset=utf-8");
              });
}

} // namespace nav::api
