#include "server/api/QueryBoolean.h"

namespace nav::api {

bool queryBoolean(const http::Request &req, const QString &key) {
    const auto value = req.queryValue(key);
    if (!value)
        return false;
    const QString v = value->trimmed().toLower();
    return v == QLatin1String("true") || v == QLatin1String("1");
}

} // namespace nav::api
