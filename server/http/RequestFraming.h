#pragma once
// The one framing decision for incoming HTTP/1.1 requests. QHttpServer 6.4 parses requests with its own
// lenient parser, so ConnectionGuard runs every byte through FramingScanner first and lets a request reach
// Qt only when its framing is unambiguous: CRLF line ends only, no obs-fold, exactly one Content-Length of
// plain digits, no Transfer-Encoding. For such a request every HTTP parser finds the same body length, so
// the size check (413), the memory budget and Qt's parser all work from the same number. Everything else
// is refused with 400 (or 411/413/431) before Qt sees it.
#include <QByteArray>
#include <QList>

namespace nav::http {

struct FramingLimits {
    qint64 maxBodyBytes = 50LL * 1024 * 1024;
    qint64 maxHeaderBytes = 64 * 1024;
};

// The result of checking one request head. status 0 means accepted.
struct HeadVerdict {
    int status = 0;
    QByteArray message; // for the JSON error
    qint64 contentLength = 0;
    bool expectContinue = false;
    bool http10 = false; // an HTTP/1.0 request line (else HTTP/1.1)

    bool accepted() const { return status == 0; }
};

// Checks one complete head: the request line and header lines joined by CRLF, without the empty line.
HeadVerdict judgeHead(const QByteArray &head, const FramingLimits &limits);

// The error_code and reason phrase used for a refusal status.
QByteArray errorCodeFor(int status);
QByteArray reasonPhrase(int status);

// Follows a connection's byte stream: heads are collected and judged, bodies are counted and skipped.
class FramingScanner {
public:
    explicit FramingScanner(const FramingLimits &limits) : m_limits(limits) {}

    // Consumes bytes and returns the verdict of every head completed in them, in order. The first refused
    // head is the last verdict returned; afterwards the scanner ignores all input.
    QList<HeadVerdict> feed(const char *data, qsizetype size);

    bool inHead() const { return !m_head.isEmpty() || m_expectLf; } // part of a head has arrived
    bool inBody() const { return m_bodyRemaining > 0; }
    bool refused() const { return m_refused; }

private:
    HeadVerdict refuse(int status, const QByteArray &message);

    FramingLimits m_limits;
    QByteArray m_head;          // the current head so far (without the CR of a pending CRLF)
    bool m_expectLf = false;    // the previous byte was CR
    bool m_lineEmpty = true;    // nothing yet on the current line
    qint64 m_bodyRemaining = 0; // body bytes of the current request still to come
    bool m_refused = false;
};

} // namespace nav::http
