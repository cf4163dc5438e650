#pragma once
// GET /embed/:jobId: the HTML page Discord reads for a job's link preview (404 for an unknown job).
#include "server/http/HttpServer.h"
#include "server/store/ImageRepository.h"

namespace nav::api {

// `context` is a QObject on the main thread that database answers come back to.
void registerEmbedRoutes(http::HttpServer &server, store::ImageRepository &images, QObject *context);

} // namespace nav::api
