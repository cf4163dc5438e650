#pragma once
// CivitAI endpoints under /3papi: GET /3papi/test_civitai, /3papi/civitai/downloads_enabled,
// /3papi/civitai/download/:modelVersionId (role 2+, answers when the file is in place) and
// /3papi/civitai/api-proxy/<path>?<query> (GET only, fixed CivitAI base, key added on the server).
#include "server/api/Route.h"

namespace nav::api {

void testCivitai(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getDownloadsEnabled(Services &s, const http::Request &req, http::Responder res,
                         const auth::Caller &caller);
void downloadModel(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void proxyCivitai(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

} // namespace nav::api
