#pragma once
// Incremental parser of one HTTP/1.0 or HTTP/1.1 response (status line, headers, body framed by
// Content-Length, chunked transfer coding or the end of the connection). Interim 1xx answers are skipped.
// Anything malformed ends in State::Bad with a reason; it never throws.
#include <QByteArray>
#include <QString>

namespace nav::forge {

class HttpResponseParser {
public:
    enum class State { NeedMore, Complete, Bad };

    // Status line plus headers of one answer; a bigger header block is malformed.
    static constexpr qsizetype kMaxHeaderBytes = 64 * 1024;

    // Feeds the next bytes received. Bytes after a complete answer are kept in leftover().
    State feed(const QByteArray &bytes);
    // The connection ended: completes a body that runs until the close, anything else is cut short.
    State finishAtClose();
    // Ready for the next answer on the same connection.
    void reset() { *this = HttpResponseParser(); }

    State state() const { return m_state; }
    bool started() const { return m_started; } // any byte of an answer arrived
    int status() const { return m_status; }
    const QByteArray &body() const { return m_body; }
    QByteArray takeBody() { return std::move(m_body); }
    // The server lets the connection carry another request (keep-alive and a self-delimited body).
    bool keepAlive() const { return m_keepAlive; }
    const QByteArray &leftover() const { return m_buffer; }
    const QString &error() const { return m_error; }

private:
    enum class Stage {
        StatusLine,
        Headers,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkEnd,
        Trailers,
        UntilClose,
        Done
    };

    // Returns false when a line is not complete yet; `line` is without its CR LF (a bare LF is accepted).
    bool takeLine(QByteArray &line);
    bool parseStatusLine(const QByteArray &line);
    bool parseHeader(const QByteArray &line);
    bool startBody();
    void step();
    State fail(const QString &why);

    State m_state = State::NeedMore;
    Stage m_stage = Stage::StatusLine;
    QByteArray m_buffer; // received, not yet consumed
    QByteArray m_body;
    QString m_error;
    qsizetype m_headerBytes = 0;
    qint64 m_remaining = 0; // of the fixed body or the current chunk
    qint64 m_contentLength = -1;
    int m_status = 0;
    bool m_http10 = false;
    bool m_chunked = false;
    bool m_otherCoding = false;
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    bool m_keepAlive = false;
    bool m_started = false;
};

} // namespace nav::forge
