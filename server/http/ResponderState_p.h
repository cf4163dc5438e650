#pragma once
// Internals of Responder, shared with HttpServer which creates them (private to navigator_http).
#include "server/http/RawHttpConnection.h"
#include "server/http/Responder.h"

#include <QElapsedTimer>

namespace nav::http {

struct Responder::State {
    State(PendingAnswer &&a, QByteArray m, QString p)
        : answer(std::move(a)), method(std::move(m)), path(std::move(p)) {
        timer.start();
    }
    ~State();
    void write(int status, const QByteArray &body, const QByteArray &contentType, const HeaderList &extra);
    void logAccess(int status, const QByteArray &body, const QByteArray &contentType, qint64 elapsedMs) const;

    // Closed when the client has gone away: a late answer is then a no-op.
    PendingAnswer answer;
    QByteArray method;
    QString path;
    QString route = QStringLiteral("(unmatched)"); // the route template, for metrics
    AccessLog accessLog = AccessLog::Errors;
    QElapsedTimer timer;
    bool answered = false;
    bool clientLeft = false; // the client had gone when the answer was written
};

} // namespace nav::http
