#pragma once
// Answers a failed Forge call: 502 with BACKEND_UNAVAILABLE when Forge could not be reached or did not answer
// in time, BACKEND_ERROR when it answered with an error or something unexpected. (The original answered 200
// with {error} inside for several lookups.)
#include "server/forge/ForgeClient.h"
#include "server/http/Responder.h"

namespace nav::api {

void answerBackendError(http::Responder &res, const forge::ForgeError &error);

} // namespace nav::api
