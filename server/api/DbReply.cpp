#include "server/api/DbReply.h"

Q_LOGGING_CATEGORY(lcApiDb, "navigator.api")

namespace nav::api {

void answerDatabaseError(http::Responder &res, const QString &detail) {
    qCWarning(lcApiDb).noquote() << "database error:" << detail;
    res.error(500, QStringLiteral("Internal Server Error"), QStringLiteral("DATABASE_ERROR"));
}

} // namespace nav::api
