#pragma once
// One HTTP/1.1 connection on its raw descriptor, for both ports (the API port's HttpServer and the realtime
// port's EngineServer): no QTcpSocket, no QIODevice buffers and no Qt HTTP server, so an idle keep-alive
// connection is the descriptor, a read notifier and a timer. Requests are read through RequestReader
// (RequestFraming's rules: 400/411/413/431 refusals) one at a time: a pipelined request waits in the reader
// (bounded) until the current one is answered. The head must arrive within the header timeout (from its
// first byte, or from the connection for the first request) and the body within the body timeout (408), an
// idle keep-alive connection closes after the idle timeout, and no deadline runs while a request is being
// handled (a slow answer, a held long-poll GET). Bodies reserve their Content-Length from the shared
// BodyBudget (503 + Retry-After), "Expect: 100-continue" is answered, HTTP/1.0 and "Connection: close" close
// after the answer, and every refusal is written, the connection half-closed and what the client still sends
// read and dropped for a few seconds. Writes go straight to the socket (SocketOutput); only an unsent
// remainder is kept, with a write notifier while it lasts. Buffers are released when empty.
#include "server/http/ConnectionCaps.h"
#include "server/http/DirectNotifier.h"
#include "server/http/RequestReader.h"
#include "server/http/SocketOutput.h"

#include <QBasicTimer>
#include <QHostAddress>
#include <QObject>

#include <memory>

namespace nav::http {

class RawHttpConnection;

// The answer a connection owes for the request it is handling. Move-only; the connection always knows where
// its handle is, so the handle learns when the client goes away. A handle dropped without an answer closes
// the connection (nothing else would ever answer it).
class PendingAnswer {
public:
    // Told (once, by a direct call) when the connection is lost before the answer is written.
    class Listener {
    public:
        virtual void answerLost() = 0;

    protected:
        ~Listener() = default;
    };

    struct TakenConnection {
        int descriptor = -1;
        QByteArray buffered; // bytes the client sent after the request head
        ConnectionTicket ticket;
    };

    PendingAnswer() = default;
    PendingAnswer(PendingAnswer &&other) noexcept { *this = std::move(other); }
    PendingAnswer &operator=(PendingAnswer &&other) noexcept;
    ~PendingAnswer();

    // True while the client is connected and waits for this answer.
    bool isOpen() const { return m_connection != nullptr; }
    // Writes the complete answer: the status line, headers (each "Name: value\r\n"), Content-Length and the
    // body (left out for HEAD). closeAfter: the connection closes once the answer is out. The handle is empty
    // afterwards; nothing is written when the client is gone.
    void write(int status, const QByteArray &headers, const QByteArray &body, bool closeAfter = false);
    void setListener(Listener *listener) { m_listener = listener; }
    // For a WebSocket upgrade: the descriptor, what was read past the head and the connection's place under
    // the caps, taken from the connection (which then deletes itself). descriptor is -1 when the client is
    // gone.
    TakenConnection takeConnection();

private:
    friend class RawHttpConnection;
    explicit PendingAnswer(RawHttpConnection *connection);
    void lost();

    RawHttpConnection *m_connection = nullptr;
    Listener *m_listener = nullptr;
};

class RawHttpConnection final : public QObject, private DirectNotifier::Owner {
public:
    class RequestHandler {
    public:
        // One complete request; answer through the handle, now or later.
        virtual void handleRequest(const HttpRequest &request, const QHostAddress &peer,
                                   PendingAnswer answer) = 0;

    protected:
        ~RequestHandler() = default;
    };

    // Takes ownership of descriptor (an accepted TCP connection). limits and handler must outlive the
    // connection (the listener that owns them is its parent).
    RawHttpConnection(int descriptor, const QHostAddress &peer, ConnectionTicket ticket,
                      const ConnectionLimits *limits, RequestHandler *handler, QObject *parent);
    ~RawHttpConnection() override;

    // Answers status with a JSON error and closes (a connection over a cap).
    void refuse(int status, const QByteArray &message, const QByteArray &extraHeaders = {});

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class PendingAnswer;
    enum class State : quint8 {
        Reading,  // waiting for (the rest of) a request
        Handling, // a request is with the handler; no deadline
        Closing,  // the last answer is going out; input is read and dropped until the linger ends
        Gone,     // descriptor closed or handed over; deleteLater() is pending
    };

    void socketReady(QSocketNotifier::Type type) override;
    void onReadable();
    void onWritable();
    void process();
    void answer(int status, const QByteArray &headers, const QByteArray &body, bool closeAfter);
    void answerAbandoned();
    PendingAnswer::TakenConnection takeOver();
    void reject(int status, const QByteArray &message, const QByteArray &extraHeaders = {});
    void startClosing(const QByteArray &lastBytes);
    void send(const QByteArray &bytes);
    void halfCloseOnceFlushed();
    void releaseReservation();
    void updateDeadline();
    void onDeadline();
    void lose();
    void closeDescriptor();
    qint64 elapsedMs() const;

    int m_fd;
    State m_state = State::Reading;
    bool m_answeredOnce = false;      // after the first answer, waiting for the next head is idle time
    bool m_closeAfterAnswer = false;  // HTTP/1.0 or Connection: close
    bool m_answerWithoutBody = false; // the request being handled is a HEAD (no body in the answer)
    bool m_processing = false;        // inside process(): answers need no resume
    bool m_resumePending = false;     // the timer is a zero timer that resumes pipelined input
    bool m_halfClosed = false;
    DirectNotifier m_readNotifier;
    SocketOutput m_output;
    QBasicTimer m_timer;                     // the one deadline (or the resume)
    qint64 m_clockStart;                     // when the running deadline's period began (ms, monotonic)
    qint64 m_reserved = 0;                   // body budget held by the request being read or handled
    std::unique_ptr<RequestReader> m_reader; // only while a request is incomplete or buffered
    PendingAnswer *m_answer = nullptr;       // the handle of the request being handled
    QHostAddress m_peer;
    ConnectionTicket m_ticket;
    const ConnectionLimits *m_limits;
    RequestHandler *m_handler;
};

} // namespace nav::http
