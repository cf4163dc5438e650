#pragma once
// The one answer to a request the database failed: 503 DATABASE_UNAVAILABLE with Retry-After when the
// database cannot be reached (the same request may succeed later), else 500 DATABASE_ERROR. Route handlers
// answer through api::answerDatabaseError / whenReady (server/api/DbReply.h); the auth guard, which answers
// before any handler runs, builds its own body from the same values.
#include <QByteArray>
#include <QString>

namespace nav::http {

struct DatabaseAnswer {
    int status;
    QString message;
    QString code;
    QByteArray retryAfter; // seconds; empty: no Retry-After header
};

DatabaseAnswer databaseAnswer(bool unavailable);

} // namespace nav::http
