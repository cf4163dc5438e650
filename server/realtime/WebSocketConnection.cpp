#include "server/realtime/WebSocketConnection.h"

#include "server/realtime/RealtimeLogging_p.h"

#include <QTimer>
#include <QTimerEvent>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nav::realtime {

namespace {

constexpr int kCloseTimeoutMs = 5000;
// Large enough for most messages in one read, small enough for the stack.
constexpr qsizetype kReadChunk = 16 * 1024;
constexpr int kReadsPerWakeup = 8; // then let other sockets have a turn

} // namespace

void WebSocketConnection::socketReady(QSocketNotifier::Type type) {
    if (type == QSocketNotifier::Read)
        onReadable();
    else
        onWritable();
}

WebSocketConnection::WebSocketConnection(int descriptor, qint64 maxMessageBytes, QObject *parent)
    : QObject(parent), m_fd(descriptor), m_parser(maxMessageBytes),
      m_readNotifier(descriptor, QSocketNotifier::Read, this, this), m_output(this, this) {
    // Qt's sockets are non-blocking already (the flag belongs to the shared file description); make sure.
    const int flags = ::fcntl(descriptor, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
}

WebSocketConnection::~WebSocketConnection() {
    closeDescriptor();
}

void WebSocketConnection::sendText(QByteArrayView utf8) {
    if (m_state == State::Open)
        queue(ws::encodeFrame(ws::Opcode::Text, utf8));
}

void WebSocketConnection::sendBinary(QByteArrayView bytes) {
    if (m_state == State::Open)
        queue(ws::encodeFrame(ws::Opcode::Binary, bytes));
}

void WebSocketConnection::close(quint16 code, QByteArrayView reason) {
    if (m_state != State::Open)
        return;
    startClosing(ws::encodeClose(code, reason));
    leaveOpen();
}

void WebSocketConnection::release() {
    m_released = true;
    m_receiver = nullptr;
    setParent(nullptr);
    if (m_state == State::Open)
        startClosing(ws::encodeClose(ws::CloseCode::GoingAway));
    if (m_state == State::Closed)
        deleteLater();
}

void WebSocketConnection::queue(const QByteArray &frame) {
    if (m_state == State::Closed || m_halfClosed)
        return;
    if (m_output.write(m_fd, frame) == nav::http::SocketOutput::Outcome::Lost) {
        // Report the loss from the event loop, not from inside the caller's send.
        QTimer::singleShot(0, this, &WebSocketConnection::lose);
        m_halfClosed = true; // nothing more can be written
    }
}

void WebSocketConnection::onWritable() {
    if (m_state == State::Closed)
        return;
    const nav::http::SocketOutput::Outcome outcome = m_output.flush(m_fd);
    if (outcome == nav::http::SocketOutput::Outcome::Lost) {
        lose();
        return;
    }
    if (outcome == nav::http::SocketOutput::Outcome::Waiting)
        return;
    if (m_state == State::Closing)
        finishClosingOnceFlushed();
    else if (m_receiver)
        m_receiver->onDrained();
}

void WebSocketConnection::onReadable() {
    char buffer[kReadChunk];
    for (int i = 0; i < kReadsPerWakeup && m_state != State::Closed; ++i) {
        const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (got <= 0) { // the client closed (or reset) the connection
            if (m_state == State::Closing) {
                closeDescriptor();
                if (m_released)
                    deleteLater();
            } else {
                lose();
            }
            return;
        }
        if (m_state == State::Open)
            receive(buffer, got);
        if (got < kReadChunk)
            return;
    }
}

void WebSocketConnection::receive(const char *data, qsizetype size) {
    if (m_state != State::Open)
        return;
    const QList<ws::FrameEvent> events = m_parser.feed(data, size);
    for (const ws::FrameEvent &event : events) {
        if (m_state != State::Open) // a handler closed the connection
            return;
        handle(event);
    }
}

void WebSocketConnection::handle(const ws::FrameEvent &event) {
    using Kind = ws::FrameEvent::Kind;
    switch (event.kind) {
    case Kind::Text:
        if (m_receiver)
            m_receiver->onTextMessage(event.payload);
        break;
    case Kind::Binary:
        if (m_receiver)
            m_receiver->onBinaryMessage(event.payload);
        break;
    case Kind::Ping:
        queue(ws::encodeFrame(ws::Opcode::Pong, event.payload));
        break;
    case Kind::Pong:
        break;
    case Kind::Close:
        // Answer with the client's code (an empty close answers a close without one).
        startClosing(event.closeCode == ws::CloseCode::NoStatus ? ws::encodeFrame(ws::Opcode::Close, {})
                                                                : ws::encodeClose(event.closeCode));
        leaveOpen();
        break;
    case Kind::Error:
        qCDebug(lcRealtime) << "WebSocket protocol error:" << event.payload << "closing with"
                            << event.closeCode;
        startClosing(ws::encodeClose(event.closeCode, event.payload));
        leaveOpen();
        break;
    }
}

void WebSocketConnection::startClosing(const QByteArray &closeFrame) {
    queue(closeFrame);
    if (m_state == State::Closed) // the write failed
        return;
    m_state = State::Closing;
    m_closeTimer = startTimer(kCloseTimeoutMs);
    if (m_output.idle())
        finishClosingOnceFlushed();
}

void WebSocketConnection::finishClosingOnceFlushed() {
    // The close frame is out: half-close, then wait for the client's end of the connection.
    if (!m_halfClosed) {
        m_halfClosed = true;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void WebSocketConnection::timerEvent(QTimerEvent *event) {
    if (event->timerId() != m_closeTimer)
        return QObject::timerEvent(event);
    closeDescriptor();
    if (m_released)
        deleteLater();
}

void WebSocketConnection::lose() {
    if (m_state == State::Closed)
        return;
    closeDescriptor();
    leaveOpen();
    if (m_released)
        deleteLater();
}

void WebSocketConnection::leaveOpen() {
    // Reported once: the first close, loss or protocol error ends the Open state.
    if (m_closedReported)
        return;
    m_closedReported = true;
    if (m_receiver)
        m_receiver->onClosed();
}

void WebSocketConnection::closeDescriptor() {
    if (m_fd < 0)
        return;
    m_state = State::Closed;
    if (m_closeTimer)
        killTimer(std::exchange(m_closeTimer, 0));
    m_readNotifier.setEnabled(false);
    m_output.stop();
    ::close(m_fd);
    m_fd = -1;
}

} // namespace nav::realtime
