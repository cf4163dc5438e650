#pragma once
// One HTTP/1.1 connection (plain TCP or TLS) on the caller's event loop: it carries one exchange at a time
// and stays open between exchanges while the server allows it. HttpClient pools these.
#include "server/forge/HttpResponseParser.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace nav::forge {

// Where a connection goes: scheme (http or https), host and port.
struct HttpOrigin {
    QString scheme;
    QString host;
    quint16 port = 80;
    QString key() const {
        return scheme + QLatin1String("://") + host + QLatin1Char(':') + QString::number(port);
    }
};

struct HttpResult {
    enum class Outcome {
        Answered,     // a complete answer, any status
        Refused,      // the server refused the connection
        HostNotFound, // the host name did not resolve
        Closed,       // the connection ended before a complete answer
        TimedOut,     // the deadline passed
        Malformed,    // the answer is not valid HTTP
        NetworkError, // anything else (TLS handshake, unreachable network, ...)
    };
    Outcome outcome = Outcome::Answered;
    int status = 0;
    QByteArray body;
    QString detail;             // why it failed, for logs
    bool answerStarted = false; // some byte of the answer arrived
};

class HttpConnection final : public QObject {
    Q_OBJECT
public:
    enum class State { Fresh, Busy, Idle, Closed };
    using Done = std::function<void(HttpResult)>;

    HttpConnection(HttpOrigin origin, QObject *parent);
    ~HttpConnection() override;

    // Sends a request (head and body as they go on the wire; connects first when the connection is fresh)
    // and reports its answer or failure once, unless the connection is destroyed first. The connection is
    // Idle again before `done` runs when the server keeps it open, Closed otherwise.
    void exchange(const QByteArray &head, const QByteArray &body, QDeadlineTimer deadline, Done done);
    // Idle, connected, with nothing unread, and the server has not closed its end (checked on the socket
    // itself, not only through Qt's notifications, which may still be queued).
    bool reusable() const;
    // Closes the connection for good, without reporting anything.
    void close();
    State state() const { return m_state; }
    const HttpOrigin &origin() const { return m_origin; }
    qint64 idleMs() const { return m_idleSince.elapsed(); }
    int exchanges() const { return m_exchanges; } // completed on this connection

signals:
    // The server closed the connection or sent something while it was idle; it cannot be used again.
    void lost(nav::forge::HttpConnection *connection);

private:
    void open();
    void writeRequest();
    void onReadyRead();
    void onSocketEnded();
    void finish(HttpResult result);

    HttpOrigin m_origin;
    QTcpSocket *m_socket = nullptr;
    HttpResponseParser m_parser;
    QTimer m_deadline;
    QElapsedTimer m_idleSince;
    QByteArray m_head;
    QByteArray m_body;
    Done m_done;
    State m_state = State::Fresh;
    int m_exchanges = 0;
};

} // namespace nav::forge
