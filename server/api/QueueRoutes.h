#pragma once
// Job submission and control: POST /api/queue/user/txt2img, /img2img, /txt2img/upscale-hrf/:jobId,
// POST /api/queue/interrupt/:jobId, GET /api/queue, GET /api/queue/jobs/:jobId, and the legacy bot endpoints
// POST /api/queue/txt2img and /img2img (only with ALLOW_LEGACY_BOT_ENDPOINTS; no auth, the owner comes in the
// body).
#include "server/api/Route.h"

namespace nav::api {

void submitTxt2img(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void submitImg2img(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void submitTxt2imgLegacy(Services &s, const http::Request &req, http::Responder res,
                         const auth::Caller &caller);
void submitImg2imgLegacy(Services &s, const http::Request &req, http::Responder res,
                         const auth::Caller &caller);
void submitUpscale(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void interruptJob(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void listMyJobs(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getJob(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
