#pragma once
// Watches one client connection before QHttpServer parses it. QHttpServer 6.4 has no request-size limits and
// no idle timeout, so this guard reads each request's header block as it arrives and:
//  - answers 413 and closes when Content-Length is over the body limit, without buffering the body;
//  - answers 431 when the header block is over 64 KiB, and 411 for chunked request bodies (no length to
//  check);
//  - answers "100 Continue" itself (6.4 ignores Expect: 100-continue, which stalls curl for a second);
//  - closes the connection after an idle timeout, but never while a request is being handled.
#include <QByteArray>
#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace nav::http {

struct ConnectionLimits {
    qint64 maxBodyBytes = 50LL * 1024 * 1024;
    qint64 idleTimeoutMs = 60'000;
    qint64 maxHeaderBytes = 64 * 1024;
};

class ConnectionGuard : public QObject {
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits);
    static ConnectionGuard *of(QObject *socket);
    void responseSent();

private:
    void onReadyRead();
    void onIdle();
    void reject(int status, const QByteArray &reason, const QByteArray &message);
    bool inspectHeaders(const QByteArray &block);

    QTcpSocket *m_socket;
    ConnectionLimits m_limits;
    QTimer m_idle;
    QByteArray m_headerBuffer;  // bytes of the current header block seen so far
    qint64 m_bodyRemaining = 0; // body bytes of the current request still to come
    int m_inFlight = 0;         // requests received and not yet answered
    bool m_rejected = false;
};

} // namespace nav::http
