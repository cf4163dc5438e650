#pragma once
// Answering an HTTP request from a database future: the continuation runs on the main thread, and a failed
// query becomes a 500 {"error_code":"DATABASE_ERROR"} instead of an unanswered request (503
// DATABASE_UNAVAILABLE with Retry-After when the database cannot be reached; http::databaseAnswer). A
// service that reports a store::DbFailure as a value gets the same answer from answerDatabaseError.
#include "server/http/Responder.h"
#include "server/store/DbError.h"

#include <QCoreApplication>
#include <QFuture>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcApiDb)

namespace nav::api {

void answerDatabaseError(http::Responder &res, const QString &detail, bool unavailable = false);
inline void answerDatabaseError(http::Responder &res, const store::DbFailure &failure) {
    answerDatabaseError(res, failure.detail, failure.unavailable);
}

template <typename T, typename Handler>
void whenReady(QFuture<T> future, http::Responder res, Handler handle) {
    QObject *context = QCoreApplication::instance();
    future.then(context, [handle = std::move(handle)](T value) mutable { handle(std::move(value)); })
        .onFailed(
            context,
            [res](const std::exception &e) mutable { answerDatabaseError(res, store::DbFailure::from(e)); })
        .onFailed(context, [res]() mutable { answerDatabaseError(res, QStringLiteral("unknown error")); });
}

} // namespace nav::api
