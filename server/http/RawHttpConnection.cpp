#include "server/http/RawHttpConnection.h"

#include "server/http/HttpLogging_p.h"

#include <QDeadlineTimer>
#include <QTimerEvent>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nav::http {

namespace {

// How long a closing connection keeps reading (and dropping) what the client still sends once its last
// answer is out: closing with unread data makes the kernel send a reset, which often destroys the answer
// before the client reads it.
constexpr int kLingerMs = 5000;
constexpr int kRetryAfterSeconds = 5;
// Large enough for most requests in one read, small enough for the stack.
constexpr qsizetype kReadChunk = 16 * 1024;
constexpr int kReadsPerWakeup = 8; // then let other sockets have a turn

qint64 nowMs() {
    return QDeadlineTimer::current().deadline();
}

bool wantsClose(const HttpRequest &request) {
    if (request.http10)
        return true;
    const QByteArray connection = request.head.value("connection");
    for (const QByteArray &token : connection.split(','))
        if (token.trimmed().compare("close", Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

} // namespace

// --- PendingAnswer -------------------------------------------------------------------------------------

PendingAnswer::PendingAnswer(RawHttpConnection *connection) : m_connection(connection) {
    connection->m_answer = this;
}

PendingAnswer &PendingAnswer::operator=(PendingAnswer &&other) noexcept {
    if (this == &other)
        return *this;
    if (m_connection) // this handle was still owed an answer: drop it as the destructor would
        std::exchange(m_connection, nullptr)->answerAbandoned();
    m_connection = std::exchange(other.m_connection, nullptr);
    m_listener = std::exchange(other.m_listener, nullptr);
    if (m_connection)
        m_connection->m_answer = this;
    return *this;
}

PendingAnswer::~PendingAnswer() {
    if (m_connection)
        std::exchange(m_connection, nullptr)->answerAbandoned();
}

void PendingAnswer::write(int status, const QByteArray &headers, const QByteArray &body, bool closeAfter) {
    m_listener = nullptr;
    if (RawHttpConnection *connection = std::exchange(m_connection, nullptr))
        connection->answer(status, headers, body, closeAfter);
}

PendingAnswer::TakenConnection PendingAnswer::takeConnection() {
    m_listener = nullptr;
    if (RawHttpConnection *connection = std::exchange(m_connection, nullptr))
        return connection->takeOver();
    return {};
}

void PendingAnswer::lost() {
    // The listener may destroy this handle: touch nothing afterwards.
    m_connection = nullptr;
    if (Listener *listener = std::exchange(m_listener, nullptr))
        listener->answerLost();
}

// --- RawHttpConnection ----------------------------------------------------------------------------

RawHttpConnection::RawHttpConnection(int descriptor, const QHostAddress &peer, ConnectionTicket ticket,
                                     const ConnectionLimits *limits, RequestHandler *handler, QObject *parent)
    : QObject(parent), m_fd(descriptor), m_readNotifier(descriptor, QSocketNotifier::Read, this, this),
      m_output(this, this), m_clockStart(nowMs()), m_peer(peer), m_ticket(std::move(ticket)),
      m_limits(limits), m_handler(handler) {
    const int flags = ::fcntl(descriptor, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    updateDeadline(); // a fresh connection must send its first head within the header timeout
}

RawHttpConnection::~RawHttpConnection() {
    // Destroyed with its listener (the server is going away) while an answer is held: the handle only learns
    // that there is no client any more. Its listener is not called: the sessions go with the server.
    if (PendingAnswer *answer = std::exchange(m_answer, nullptr)) {
        answer->m_connection = nullptr;
        answer->m_listener = nullptr;
    }
    releaseReservation();
    closeDescriptor();
}

qint64 RawHttpConnection::elapsedMs() const {
    return nowMs() - m_clockStart;
}

void RawHttpConnection::socketReady(QSocketNotifier::Type type) {
    if (type == QSocketNotifier::Read)
        onReadable();
    else
        onWritable();
}

void RawHttpConnection::onReadable() {
    char buffer[kReadChunk];
    for (int i = 0; i < kReadsPerWakeup && m_state != State::Gone; ++i) {
        const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got <= 0) { // the client closed (or reset) the connection
            lose();
            return;
        }
        if (m_state == State::Closing) // lingering: drop it
            continue;
        if (!m_reader) {
            m_reader = std::make_unique<RequestReader>(m_limits->framing());
            if (m_answeredOnce && m_state == State::Reading) // the first byte of a head after idle time
                m_clockStart = nowMs();
        }
        m_reader->append(buffer, got);
        if (m_state == State::Handling && m_reader->buffered() > m_limits->maxHeaderBytes) {
            // A client that pipelines this much behind an unanswered request waits for the answer first.
            m_readNotifier.setEnabled(false);
            break;
        }
        if (got < kReadChunk)
            break;
    }
    if (m_state == State::Reading)
        process();
}

void RawHttpConnection::process() {
    using Step = RequestReader::Step;
    m_processing = true;
    while (m_state == State::Reading && m_reader) {
        const Step step = m_reader->next();
        if (step == Step::NeedMore) {
            break;
        } else if (step == Step::Refused) {
            const HeadVerdict verdict = m_reader->verdict();
            reject(verdict.status, verdict.message);
        } else if (step == Step::Head) {
            const HeadVerdict &verdict = m_reader->verdict();
            if (m_limits->bodyBudget && !m_limits->bodyBudget->tryReserve(verdict.contentLength)) {
                qCWarning(lcHttp) << "request body budget (HTTP_BODY_BUDGET) is full; refusing"
                                  << verdict.contentLength << "bytes from" << m_peer.toString();
                reject(503, "The server is busy receiving other uploads; retry shortly",
                       "Retry-After: " + QByteArray::number(kRetryAfterSeconds) + "\r\n");
                break;
            }
            m_reserved = verdict.contentLength;
            m_clockStart = nowMs(); // the body clock
            if (verdict.expectContinue && verdict.contentLength > 0)
                send("HTTP/1.1 100 Continue\r\n\r\n");
        } else { // a whole request
            HttpRequest request = m_reader->takeRequest();
            if (!m_reader->inHead() && !m_reader->inBody() && m_reader->buffered() == 0)
                m_reader.reset(); // nothing pipelined: an idle connection keeps no reader
            m_closeAfterAnswer = wantsClose(request);
            m_answerWithoutBody = request.head.method == "HEAD";
            m_state = State::Handling;
            m_timer.stop();
            m_resumePending = false;
            m_handler->handleRequest(request, m_peer, PendingAnswer(this));
        }
    }
    m_processing = false;
    if (m_state == State::Reading)
        updateDeadline();
}

void RawHttpConnection::answer(int status, const QByteArray &headers, const QByteArray &body,
                               bool closeAfter) {
    m_answer = nullptr;
    if (m_state != State::Handling)
        return;
    releaseReservation();
    const bool close = closeAfter || m_closeAfterAnswer;
    QByteArray bytes;
    bytes.reserve(128 + headers.size() + body.size());
    bytes += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    bytes += headers;
    bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (close)
        bytes += "Connection: close\r\n";
    bytes += "\r\n";
    if (!m_answerWithoutBody)
        bytes += body;
    if (close) {
        startClosing(bytes);
        return;
    }
    m_state = State::Reading;
    m_answeredOnce = true;
    m_clockStart = nowMs();
    send(bytes);
    if (m_state != State::Reading) // the write failed
        return;
    if (!m_readNotifier.isEnabled())
        m_readNotifier.setEnabled(true);
    if (m_reader && !m_processing) {
        // A pipelined request waits: take it up from the event loop, not inside the caller's answer.
        m_resumePending = true;
        m_timer.start(0, this);
    } else {
        updateDeadline();
    }
}

void RawHttpConnection::answerAbandoned() {
    m_answer = nullptr;
    if (m_state != State::Handling)
        return;
    qCDebug(lcHttp) << "a request from" << m_peer.toString() << "was dropped unanswered; closing";
    lose();
}

PendingAnswer::TakenConnection RawHttpConnection::takeOver() {
    m_answer = nullptr;
    PendingAnswer::TakenConnection taken;
    if (m_state != State::Handling)
        return taken;
    releaseReservation();
    m_timer.stop();
    m_readNotifier.setEnabled(false);
    m_output.stop();
    taken.descriptor = std::exchange(m_fd, -1);
    if (m_reader)
        taken.buffered = m_reader->takeBuffered();
    taken.ticket = std::move(m_ticket);
    m_state = State::Gone;
    deleteLater();
    return taken;
}

void RawHttpConnection::refuse(int status, const QByteArray &message, const QByteArray &extraHeaders) {
    reject(status, message, extraHeaders);
}

void RawHttpConnection::reject(int status, const QByteArray &message, const QByteArray &extraHeaders) {
    if (m_state == State::Closing || m_state == State::Gone)
        return;
    qCWarning(lcHttp) << "refused a request from" << m_peer.toString() << "with" << status << message;
    releaseReservation();
    startClosing(refusalAnswer(status, message, extraHeaders));
}

void RawHttpConnection::startClosing(const QByteArray &lastBytes) {
    m_state = State::Closing;
    m_reader.reset();
    m_resumePending = false;
    if (!m_readNotifier.isEnabled())
        m_readNotifier.setEnabled(true); // drain what the client still sends
    m_clockStart = nowMs();
    m_timer.start(kLingerMs, this);
    send(lastBytes);
    halfCloseOnceFlushed();
}

void RawHttpConnection::halfCloseOnceFlushed() {
    if (m_state == State::Closing && m_output.idle() && !m_halfClosed && m_fd >= 0) {
        m_halfClosed = true;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void RawHttpConnection::send(const QByteArray &bytes) {
    if (m_fd < 0 || m_halfClosed)
        return;
    if (m_output.write(m_fd, bytes) == SocketOutput::Outcome::Lost)
        lose();
}

void RawHttpConnection::onWritable() {
    if (m_fd < 0)
        return;
    bool sentSome = false;
    const SocketOutput::Outcome outcome = m_output.flush(m_fd, &sentSome);
    if (outcome == SocketOutput::Outcome::Lost) {
        lose();
        return;
    }
    if (sentSome && m_state == State::Reading && !m_reader) // a large answer still going out is activity
        m_clockStart = nowMs();
    if (outcome == SocketOutput::Outcome::Flushed)
        halfCloseOnceFlushed();
}

void RawHttpConnection::releaseReservation() {
    if (m_reserved > 0 && m_limits->bodyBudget)
        m_limits->bodyBudget->release(m_reserved);
    m_reserved = 0;
}

void RawHttpConnection::updateDeadline() {
    if (m_state != State::Reading)
        return;
    qint64 timeoutMs = m_limits->idleTimeoutMs;
    if (m_reader && m_reader->inBody())
        timeoutMs = m_limits->bodyTimeoutMs;
    else if ((m_reader && m_reader->inHead()) || !m_answeredOnce)
        timeoutMs = m_limits->headerTimeoutMs;
    const qint64 left = qBound<qint64>(0, timeoutMs - elapsedMs(), 24LL * 3600 * 1000);
    m_timer.start(static_cast<int>(left), this);
}

void RawHttpConnection::timerEvent(QTimerEvent *event) {
    if (event->timerId() != m_timer.timerId())
        return QObject::timerEvent(event);
    m_timer.stop();
    if (std::exchange(m_resumePending, false)) {
        if (m_state == State::Reading)
            process();
        return;
    }
    onDeadline();
}

void RawHttpConnection::onDeadline() {
    if (m_state == State::Closing) { // the linger is over
        lose();
        return;
    }
    if (m_state != State::Reading)
        return;
    const QString peer = m_peer.toString();
    if (m_reader && m_reader->inBody()) {
        qCInfo(lcHttp) << "request body from" << peer << "not complete within HTTP_BODY_TIMEOUT";
        reject(408, "The request body did not arrive within " + QByteArray::number(m_limits->bodyTimeoutMs) +
                        " ms (HTTP_BODY_TIMEOUT)");
    } else if (m_reader && m_reader->inHead()) {
        qCInfo(lcHttp) << "request head from" << peer << "not complete within HTTP_HEADER_TIMEOUT";
        reject(408, "The request headers did not arrive within " +
                        QByteArray::number(m_limits->headerTimeoutMs) + " ms (HTTP_HEADER_TIMEOUT)");
    } else {
        // Nothing sent at all on a fresh connection, or idle between requests: just close.
        qCDebug(lcHttp) << "closing idle connection from" << peer;
        lose();
    }
}

void RawHttpConnection::lose() {
    if (m_state == State::Gone)
        return;
    m_state = State::Gone;
    releaseReservation();
    closeDescriptor();
    m_reader.reset();
    deleteLater();
    if (m_answer) // a held request (a long poll): its owner hears that the client is gone
        std::exchange(m_answer, nullptr)->lost();
}

void RawHttpConnection::closeDescriptor() {
    m_timer.stop();
    m_resumePending = false;
    if (m_fd < 0)
        return;
    m_readNotifier.setEnabled(false);
    m_output.stop();
    ::close(m_fd);
    m_fd = -1;
}

} // namespace nav::http
