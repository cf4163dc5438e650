#include "server/http/ConnectionGuard.h"

#include "server/http/HttpLogging_p.h"

#include <QTcpSocket>

#include <sys/socket.h>

namespace nav::http {

namespace {

// How long a refused connection keeps reading (and dropping) what the client still sends after the answer
// has gone out. Closing with unread data makes the kernel send a reset, which often destroys the answer
// before the client reads it.
constexpr int kLingerMs = 5000;
constexpr int kRetryAfterSeconds = 5;

// Half-closes once the answer is written, drops further input, and aborts after kLingerMs.
class LingeringClose : public QObject {
public:
    explicit LingeringClose(QTcpSocket *socket) : QObject(socket), m_socket(socket) {
        connect(socket, &QTcpSocket::readyRead, this, [socket] { socket->readAll(); });
        connect(socket, &QTcpSocket::bytesWritten, this, &LingeringClose::maybeHalfClose);
        QTimer::singleShot(kLingerMs, this, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        maybeHalfClose();
    }

private:
    void maybeHalfClose() {
        if (m_halfClosed || m_socket->bytesToWrite() > 0)
            return;
        m_halfClosed = true;
        ::shutdown(static_cast<int>(m_socket->socketDescriptor()), SHUT_WR);
    }
    QTcpSocket *m_socket;
    bool m_halfClosed = false;
};

} // namespace

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits)
    : QObject(socket), m_socket(socket), m_limits(limits), m_scanner(limits.framing()) {
    setObjectName(QStringLiteral("nav-connection-guard"));
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &ConnectionGuard::onDeadline);
    // Connected before QHttpServer's own readyRead slot (see GuardedTcpServer), so this runs first.
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    // A large answer still being sent is activity: the idle clock restarts.
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (!m_scanner.inHead() && !m_scanner.inBody() && m_inFlight == 0 && m_answeredOnce)
            updateDeadline();
    });
    updateDeadline();
}

ConnectionGuard::~ConnectionGuard() {
    releaseAll();
}

ConnectionGuard *ConnectionGuard::of(QObject *socket) {
    return socket ? socket->findChild<ConnectionGuard *>(QStringLiteral("nav-connection-guard"),
                                                         Qt::FindDirectChildrenOnly)
                  : nullptr;
}

void ConnectionGuard::releaseAll() {
    if (m_limits.bodyBudget)
        for (qint64 bytes : std::as_const(m_reserved))
            m_limits.bodyBudget->release(bytes);
    m_reserved.clear();
}

void ConnectionGuard::responseSent() {
    m_inFlight = qMax(0, m_inFlight - 1);
    m_answeredOnce = true;
    if (!m_reserved.isEmpty()) {
        const qint64 bytes = m_reserved.dequeue();
        if (m_limits.bodyBudget)
            m_limits.bodyBudget->release(bytes);
    }
    updateDeadline();
}

void ConnectionGuard::updateDeadline() {
    if (m_closing)
        return;
    auto arm = [this](qint64 timeoutMs, const QElapsedTimer &since) {
        const qint64 left = since.isValid() ? timeoutMs - since.elapsed() : timeoutMs;
        m_deadline.start(static_cast<int>(qBound<qint64>(0, left, 24LL * 3600 * 1000)));
    };
    if (m_scanner.inBody()) {
        m_headClock.invalidate();
        if (!m_bodyClock.isValid())
            m_bodyClock.start();
        arm(m_limits.bodyTimeoutMs, m_bodyClock);
        return;
    }
    m_bodyClock.invalidate();
    // A fresh connection must send its first head within the header timeout, too.
    if (m_scanner.inHead() || (!m_answeredOnce && m_inFlight == 0)) {
        if (!m_headClock.isValid())
            m_headClock.start();
        arm(m_limits.headerTimeoutMs, m_headClock);
        return;
    }
    m_headClock.invalidate();
    if (m_inFlight > 0) // a handler is working (a slow answer, a download): no deadline
        m_deadline.stop();
    else
        arm(m_limits.idleTimeoutMs, QElapsedTimer());
}

void ConnectionGuard::onDeadline() {
    if (m_closing)
        return;
    const QString peer = m_socket->peerAddress().toString();
    if (m_scanner.inBody()) {
        qCInfo(lcHttp) << "request body from" << peer << "not complete within HTTP_BODY_TIMEOUT";
        reject(408, "The request body did not arrive within " + QByteArray::number(m_limits.bodyTimeoutMs) +
                        " ms (HTTP_BODY_TIMEOUT)");
    } else if (m_scanner.inHead() || (!m_answeredOnce && m_inFlight == 0)) {
        qCInfo(lcHttp) << "request head from" << peer << "not complete within HTTP_HEADER_TIMEOUT";
        if (m_scanner.inHead())
            reject(408, "The request headers did not arrive within " +
                            QByteArray::number(m_limits.headerTimeoutMs) + " ms (HTTP_HEADER_TIMEOUT)");
        else // nothing was sent at all: just close
            closeNow();
    } else if (m_inFlight == 0) {
        qCDebug(lcHttp) << "closing idle connection from" << peer;
        m_socket->disconnectFromHost();
    }
}

void ConnectionGuard::closeNow() {
    m_closing = true;
    m_deadline.stop();
    m_socket->abort();
    // Qt 6.4 disconnects a socket's signals when its parser fails, so its own deleteLater may never come.
    m_socket->deleteLater();
}

void ConnectionGuard::onReadyRead() {
    if (m_closing) {
        m_socket->readAll(); // drain so QHttpServer never sees the rest
        return;
    }
    const QByteArray chunk = m_socket->peek(m_socket->bytesAvailable());
    const QList<HeadVerdict> verdicts = m_scanner.feed(chunk.constData(), chunk.size());
    for (const HeadVerdict &verdict : verdicts) {
        if (!verdict.accepted())
            return reject(verdict.status, verdict.message);
        if (m_limits.bodyBudget && !m_limits.bodyBudget->tryReserve(verdict.contentLength)) {
            qCWarning(lcHttp) << "request body budget (HTTP_BODY_BUDGET) is full; refusing"
                              << verdict.contentLength << "bytes from" << m_socket->peerAddress().toString();
            return reject(503, "The server is busy receiving other uploads; retry shortly",
                          "Retry-After: " + QByteArray::number(kRetryAfterSeconds) + "\r\n");
        }
        m_reserved.enqueue(verdict.contentLength);
        ++m_inFlight;
        if (verdict.expectContinue)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    updateDeadline();
}

void ConnectionGuard::reject(int status, const QByteArray &message, const QByteArray &extraHeaders) {
    m_closing = true;
    m_deadline.stop();
    releaseAll();
    qCWarning(lcHttp) << "refused a request from" << m_socket->peerAddress().toString() << "with" << status
                      << message;
    refuseConnection(m_socket, status, message, extraHeaders);
}

void ConnectionGuard::refuseConnection(QTcpSocket *socket, int status, const QByteArray &message,
                                       const QByteArray &extraHeaders) {
    socket->readAll();
    socket->write(refusalAnswer(status, message, extraHeaders));
    new LingeringClose(socket);
}

} // namespace nav::http
