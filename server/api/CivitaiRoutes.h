#pragma once
// CivitAI endpoints under /3papi: GET /3papi/test_civitai, /3papi/civitai/downloads_enabled,
// /3papi/civitai/download/:modelVersionId (role 2+, answers when the file is in place) and
// /3papi/civitai/api-proxy/<path>?<query> (GET only, fixed CivitAI base, key added on the server).
#include "server/auth/AuthService.h"
#include "server/civitai/CivitaiClient.h"
#include "server/civitai/ModelDownloadService.h"
#include "server/http/HttpServer.h"

namespace nav::api {

void registerCivitaiRoutes(http::HttpServer &server, auth::AuthService &auth, civitai::CivitaiClient &civitai,
                           civitai::ModelDownloadService &downloads);

} // namespace nav::api
