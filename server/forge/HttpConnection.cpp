#include "server/forge/HttpConnection.h"

#include <QNetworkProxy>
#include <QTcpSocket>
#if QT_CONFIG(ssl)
#include <QSslSocket>
#endif

#include <cerrno>
#include <climits>
#include <sys/socket.h>
#include <utility>

namespace nav::forge {

namespace {

// Request bodies up to this size go out in one write with the head (one TCP segment on loopback).
constexpr qsizetype kCoalesceBytes = 16 * 1024;

bool isTls(const HttpOrigin &origin) {
    return origin.scheme == QLatin1String("https");
}

// True when the peer has closed or reset the socket. On a plain connection, bytes nobody asked for mean the
// connection is out of step, so they count as gone too; on TLS they may be a session ticket.
bool peerGone(qintptr fd, bool tls) {
    char byte = 0;
    const ssize_t n = ::recv(int(fd), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return true;
    if (n < 0)
        return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    return !tls;
}

} // namespace

HttpConnection::HttpConnection(HttpOrigin origin, QObject *parent)
    : QObject(parent), m_origin(std::move(origin)) {
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        finish({HttpResult::Outcome::TimedOut,
                0,
                {},
                QStringLiteral("no complete answer in time"),
                m_parser.started()});
    });
}

HttpConnection::~HttpConnection() {
    close();
}

void HttpConnection::exchange(const QByteArray &head, const QByteArray &body, QDeadlineTimer deadline,
                              Done done) {
    Q_ASSERT(m_state == State::Fresh || m_state == State::Idle);
    m_head = head;
    m_body = body;
    m_done = std::move(done);
    m_parser.reset();
    const bool fresh = m_state == State::Fresh;
    m_state = State::Busy;
    m_deadline.start(int(qBound(qint64(0), deadline.remainingTime(), qint64(INT_MAX))));
    if (fresh)
        open();
    else
        writeRequest();
}

bool HttpConnection::reusable() const {
    return m_state == State::Idle && m_socket && m_socket->state() == QAbstractSocket::ConnectedState &&
           m_socket->bytesAvailable() == 0 && !peerGone(m_socket->socketDescriptor(), isTls(m_origin));
}

void HttpConnection::open() {
#if QT_CONFIG(ssl)
    if (isTls(m_origin)) {
        auto *tls = new QSslSocket(this);
        m_socket = tls;
        connect(tls, &QSslSocket::encrypted, this, &HttpConnection::writeRequest);
    }
#else
    if (isTls(m_origin)) { // reported from the event loop like any other connection failure
        QMetaObject::invokeMethod(
            this,
            [this] {
                finish({HttpResult::Outcome::NetworkError,
                        0,
                        {},
                        QStringLiteral("this build of Qt has no TLS support"),
                        false});
            },
            Qt::QueuedConnection);
        return;
    }
#endif
    if (!m_socket) {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &HttpConnection::writeRequest);
    }
    m_socket->setProxy(QNetworkProxy::NoProxy);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpConnection::onSocketEnded);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onSocketEnded);
#if QT_CONFIG(ssl)
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket)) {
        tls->connectToHostEncrypted(m_origin.host, m_origin.port);
        return;
    }
#endif
    m_socket->connectToHost(m_origin.host, m_origin.port);
}

void HttpConnection::writeRequest() {
    if (m_state != State::Busy)
        return;
    if (m_exchanges == 0)
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    bool written = false;
    if (m_body.size() < kCoalesceBytes) {
        written = m_socket->write(m_head + m_body) >= 0;
    } else {
        written = m_socket->write(m_head) >= 0 && m_socket->write(m_body) >= 0;
    }
    m_head.clear();
    m_body.clear(); // the socket holds its own copy until it is sent
    // Out now rather than when the event loop next polls the socket: Forge idles until the request arrives,
    // and the loop may have other work queued first (the submission's answer, its events).
    if (written)
        m_socket->flush();
    else
        finish({HttpResult::Outcome::NetworkError, 0, {}, m_socket->errorString(), false});
}

void HttpConnection::onReadyRead() {
    if (m_state == State::Idle) { // bytes nobody asked for: the connection is out of step
        close();
        emit lost(this);
        return;
    }
    if (m_state != State::Busy)
        return;
    switch (m_parser.feed(m_socket->readAll())) {
    case HttpResponseParser::State::NeedMore:
        return;
    case HttpResponseParser::State::Bad:
        finish({HttpResult::Outcome::Malformed, m_parser.status(), {}, m_parser.error(), true});
        return;
    case HttpResponseParser::State::Complete:
        break;
    }
    const bool keep = m_parser.keepAlive() && m_parser.leftover().isEmpty() &&
                      m_socket->bytesToWrite() == 0 && m_socket->bytesAvailable() == 0 &&
                      m_socket->state() == QAbstractSocket::ConnectedState;
    HttpResult result{HttpResult::Outcome::Answered, m_parser.status(), m_parser.takeBody(), {}, true};
    if (keep) {
        m_deadline.stop();
        m_state = State::Idle;
        m_idleSince.start();
        ++m_exchanges;
        if (Done done = std::exchange(m_done, nullptr))
            done(std::move(result));
        return;
    }
    finish(std::move(result));
}

// The socket failed or the server closed it (errorOccurred and disconnected both land here).
void HttpConnection::onSocketEnded() {
    if (m_state == State::Idle) {
        close();
        emit lost(this);
        return;
    }
    if (m_state != State::Busy)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    if (m_socket->bytesAvailable() > 0)
        m_parser.feed(m_socket->readAll()); // what arrived before the end
    const bool started = m_parser.started();
    if (m_parser.state() == HttpResponseParser::State::Bad)
        return finish({HttpResult::Outcome::Malformed, m_parser.status(), {}, m_parser.error(), true});
    if (m_parser.finishAtClose() ==
        HttpResponseParser::State::Complete) // also a body that ran until the close
        return finish({HttpResult::Outcome::Answered, m_parser.status(), m_parser.takeBody(), {}, true});
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return finish({HttpResult::Outcome::Refused, 0, {}, m_socket->errorString(), false});
    case QAbstractSocket::HostNotFoundError:
        return finish({HttpResult::Outcome::HostNotFound, 0, {}, m_socket->errorString(), false});
    case QAbstractSocket::RemoteHostClosedError:
    case QAbstractSocket::UnknownSocketError: // disconnected without an error
        return finish({HttpResult::Outcome::Closed, 0, {}, QStringLiteral("connection closed"), started});
    default:
        return finish({HttpResult::Outcome::NetworkError, 0, {}, m_socket->errorString(), started});
    }
}

void HttpConnection::finish(HttpResult result) {
    Done done = std::exchange(m_done, nullptr);
    close();
    if (done)
        done(std::move(result));
}

void HttpConnection::close() {
    m_state = State::Closed;
    m_deadline.stop();
    m_done = nullptr;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

} // namespace nav::forge
