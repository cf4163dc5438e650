#include "server/http/DatabaseAnswer.h"

namespace nav::http {

namespace {
// How long a client should wait before retrying while the database is unreachable (store reconnects on the
// next query, so a few seconds is enough).
const QByteArray kRetryAfterSeconds = QByteArrayLiteral("5");
} // namespace

DatabaseAnswer databaseAnswer(bool unavailable) {
    if (unavailable)
        return {503, QStringLiteral("The database is unreachable; try again later"),
                QStringLiteral("DATABASE_UNAVAILABLE"), kRetryAfterSeconds};
    return {500, QStringLiteral("Internal Server Error"), QStringLiteral("DATABASE_ERROR"), {}};
}

} // namespace nav::http
