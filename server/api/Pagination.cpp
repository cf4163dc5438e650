#include "server/api/Pagination.h"

#include <QJsonValue>

#include <cmath>

namespace nav::api {

namespace {

// Like the original's Number(value) || fallback, but whole numbers only and within [1, max].
int positiveInt(const std::optional<QString> &text, int fallback, int max) {
    if (!text)
        return fallback;
    bool ok = false;
    const double value = text->trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 1)
        return fallback;
    return static_cast<int>(std::min(std::floor(value), static_cast<double>(max)));
}

constexpr int kMaxPage = 1'000'000;

} // namespace

PageRequest parsePageRequest(const http::Request &req, int defaultLimit, int maxLimit) {
    PageRequest page;
    page.page = positiveInt(req.queryValue(QStringLiteral("page")), 1, kMaxPage);
    page.limit = positiveInt(req.queryValue(QStringLiteral("limit")), defaultLimit, maxLimit);
    return page;
}

QJsonObject pageFields(qint64 count, const PageRequest &page) {
    const qint64 totalPages = (count + page.limit - 1) / page.limit;
    return QJsonObject{
        {"count", count},
        {"totalPages", totalPages},
        {"currentPage", page.page},
        {"previousPage", page.page > 1 ? QJsonValue(page.page - 1) : QJsonValue(QJsonValue::Null)},
        {"nextPage", page.page < totalPages ? QJsonValue(page.page + 1) : QJsonValue(QJsonValue::Null)},
    };
}

} // namespace nav::api
