#pragma once
// Query-string booleans as the original's express-query-boolean reads them: "true" (or "1") is true;
// "false", "0", an empty value or a missing key are false. The key alone is not enough.
#include "server/http/Request.h"

namespace nav::api {

bool queryBoolean(const http::Request &req, const QString &key);

} // namespace nav::api
