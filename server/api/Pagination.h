#pragma once
// ?page=&limit= parsing and the pagination fields of the original's GET /api/user/jobs
// ({count, totalPages, currentPage, previousPage, nextPage}), shared by every paginated list.
#include "server/http/Request.h"

#include <QJsonObject>

namespace nav::api {

struct PageRequest {
    int page = 1;
    int limit = 10;
    int offset() const { return (page - 1) * limit; }
};

// Missing or non-numeric values fall back to page 1 and defaultLimit; limit is capped at maxLimit.
PageRequest parsePageRequest(const http::Request &req, int defaultLimit, int maxLimit);

// count and the page fields, all JSON numbers (previousPage/nextPage null at the ends).
QJsonObject pageFields(qint64 count, const PageRequest &page);

} // namespace nav::api
