#pragma once
// Watches one client connection before QHttpServer parses it (QHttpServer 6.4 has no request limits or
// timeouts of its own). Every byte goes through FramingScanner first, so a request reaches Qt only when its
// framing is unambiguous; the guard then:
//  - refuses bad framing with 400, bodies over MAX_BODY_SIZE with 413 (before buffering them), header blocks
//    over 64 KiB with 431 and Transfer-Encoding bodies with 411, and closes the connection only after the
//    answer is written, reading and dropping what the client still sends for a short while (so the client
//    reads the answer instead of a connection reset);
//  - reserves each body's Content-Length from the shared BodyBudget, answering 503 + Retry-After when full;
//  - times out a head that is not complete within HTTP_HEADER_TIMEOUT and a body not complete within
//    HTTP_BODY_TIMEOUT (408), and closes a connection idle for HTTP_IDLE_TIMEOUT, but never while a request
//    is being handled (slow answers, downloads);
//  - answers "100 Continue" itself (6.4 ignores Expect: 100-continue, which stalls curl for a second).
#include "server/http/ConnectionLimits.h"
#include "server/http/RequestFraming.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QQueue>
#include <QTimer>

class QTcpSocket;

namespace nav::http {

class ConnectionGuard : public QObject {
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits);
    ~ConnectionGuard() override;
    static ConnectionGuard *of(QObject *socket);
    void responseSent();

    // Writes a complete error answer and closes the connection once it is sent (see closeAfterAnswer).
    static void refuseConnection(QTcpSocket *socket, int status, const QByteArray &message,
                                 const QByteArray &extraHeaders = {});

private:
    void onReadyRead();
    void onDeadline();
    void reject(int status, const QByteArray &message, const QByteArray &extraHeaders = {});
    void updateDeadline();
    void closeNow();
    void releaseAll();

    QTcpSocket *m_socket;
    ConnectionLimits m_limits;
    FramingScanner m_scanner;
    QTimer m_deadline;
    QElapsedTimer m_headClock;   // running while a head is awaited or arriving
    QElapsedTimer m_bodyClock;   // running while a body is arriving
    QQueue<qint64> m_reserved;   // budget reserved by each request not yet answered, oldest first
    int m_inFlight = 0;          // requests received and not yet answered
    bool m_answeredOnce = false; // after the first answer, waiting for the next head is idle time
    bool m_closing = false;
};

} // namespace nav::http
