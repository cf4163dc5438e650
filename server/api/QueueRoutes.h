#pragma once
// Job submission and control: POST /api/queue/user/txt2img, /img2img, /txt2img/upscale-hrf/:jobId,
// POST /api/queue/interrupt/:jobId, GET /api/queue, GET /api/queue/jobs/:jobId, and the legacy bot endpoints
// POST /api/queue/txt2img and /img2img (only with ALLOW_LEGACY_BOT_ENDPOINTS).
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/forge/ForgeCatalog.h"
#include "server/http/HttpServer.h"
#include "server/queue/JobQueue.h"
#include "server/store/CategoryRepository.h"
#include "server/store/JobRepository.h"

namespace nav::api {

struct QueueServices {
    auth::AuthService &auth;
    queue::JobQueue &queue;
    store::JobRepository &jobs;
    store::CategoryRepository &categories;
    forge::ForgeCatalog &catalog;
    forge::ForgeClient &forge;
    const config::Config &config;
};

void registerQueueRoutes(http::HttpServer &server, QueueServices services);

} // namespace nav::api
