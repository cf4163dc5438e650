#include "server/api/DbReply.h"

#include "server/http/DatabaseAnswer.h"

Q_LOGGING_CATEGORY(lcApiDb, "navigator.api")

namespace nav::api {

void answerDatabaseError(http::Responder &res, const QString &detail, bool unavailable) {
    qCWarning(lcApiDb).noquote() << "database error:" << detail;
    const http::DatabaseAnswer answer = http::databaseAnswer(unavailable);
    http::HeaderList headers;
    if (!answer.retryAfter.isEmpty())
        headers.append({"Retry-After", answer.retryAfter});
    res.error(answer.status, answer.message, answer.code, headers);
}

} // namespace nav::api
