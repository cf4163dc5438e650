#include "server/api/DbReply.h"

Q_LOGGING_CATEGORY(lcApiDb, "navigator.api")

namespace nav::api {

void answerDatabaseError(http::Responder &res, const QString &detail, bool unavailable) {
    qCWarning(lcApiDb).noquote() << "database error:" << detail;
    if (unavailable) {
        res.error(503, QStringLiteral("The database is unreachable; try again later"),
                  QStringLiteral("DATABASE_UNAVAILABLE"), {{"Retry-After", "5"}});
        return;
    }
    res.error(500, QStringLiteral("Internal Server Error"), QStringLiteral("DATABASE_ERROR"));
}

} // namespace nav::api
