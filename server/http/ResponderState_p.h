#pragma once
// Internals of Responder, shared with HttpServer which creates them (private to navigator_http).
#include "server/http/Responder.h"

#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>

namespace nav::http {

struct Responder::State {
    State(QHttpServerResponder &&r, QByteArray m, QString p)
        : responder(std::move(r)), socket(responder.socket()), method(std::move(m)), path(std::move(p)) {
        timer.start();
    }
    ~State();
    void write(int status, const QByteArray &body, const QByteArray &contentType, const HeaderList &extra);
    void logAccess(int status, const QByteArray &body, const QByteArray &contentType, qint64 elapsedMs) const;

    QHttpServerResponder responder;
    // Qt 6.4 deletes the socket (and the request the responder points to) when the client disconnects;
    // the QPointer turns a late answer into a no-op instead of a use-after-free.
    QPointer<QTcpSocket> socket;
    QByteArray method;
    QString path;
    QString route = QStringLiteral("(unmatched)"); // the route template, for metrics
    AccessLog accessLog = AccessLog::Errors;
    QElapsedTimer timer;
    bool answered = false;
};

} // namespace nav::http
