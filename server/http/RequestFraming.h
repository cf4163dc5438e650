#pragma once
// The one framing decision for incoming HTTP/1.1 requests, on both ports (RequestReader): CRLF line ends
// only, no obs-fold, exactly one Content-Length of plain digits, no Transfer-Encoding. For such a request
// every HTTP parser (and every proxy in front) finds the same body length, so the size check (413) and the
// memory budget work from the number the request really has. Everything else is refused with 400 (or
// 411/413/431).
#include <QByteArray>
#include <QList>

#include <optional>
#include <utility>

namespace nav::http {

struct FramingLimits {
    qint64 maxBodyBytes = 50LL * 1024 * 1024;
    qint64 maxHeaderBytes = 64 * 1024;
    const char *bodyLimitName =
        "MAX_BODY_SIZE"; // the setting a 413 names, so the operator knows what to raise
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

// The fields of an accepted head.
struct RequestHead {
    QByteArray method;
    QByteArray target;                               // as sent, still percent-encoded
    QList<std::pair<QByteArray, QByteArray>> fields; // names in lower case, values trimmed, in order

    // The value of the last field with this (lower-case) name, empty when absent (http::Request keeps the
    // last one too), so both ports see the same X-Forwarded-For.
    QByteArray value(QByteArrayView lowerCaseName) const;
};

// Checks one complete head: the request line and header lines joined by CRLF, without the empty line. With
// parsed, an accepted head's request line and fields are stored there as well.
HeadVerdict judgeHead(const QByteArray &head, const FramingLimits &limits, RequestHead *parsed = nullptr);

// The error_code used for a refusal status, and the reason phrase of a status.
QByteArray errorCodeFor(int status);
QByteArray reasonPhrase(int status);
// The whole answer to a refused request, on either port: the JSON error ({"error", "error_code"}), CORS,
// "Connection: close" and extraHeaders (each "Name: value\r\n").
QByteArray refusalAnswer(int status, const QByteArray &message, const QByteArray &extraHeaders = {});

// Follows the heads of a connection's byte stream; the reader that uses it takes the bodies itself.
class FramingScanner {
public:
    explicit FramingScanner(const FramingLimits &limits) : m_limits(limits) {}

    // Consumes bytes up to the end of the next head only and returns how many it consumed. When a head ended
    // there its verdict is stored in *verdict (and, when accepted and parsed is given, its fields in
    // *parsed); the scanner then expects the next head, so the caller removes the body
    // (verdict->contentLength bytes) before feeding more.
    qsizetype feedHead(const char *data, qsizetype size, std::optional<HeadVerdict> *verdict,
                       RequestHead *parsed = nullptr);

    bool inHead() const { return !m_head.isEmpty() || m_expectLf; } // part of a head has arrived
    bool refused() const { return m_refused; }

private:
    HeadVerdict refuse(int status, const QByteArray &message);

    FramingLimits m_limits;
    QByteArray m_head;       // the current head so far (without the CR of a pending CRLF)
    bool m_expectLf = false; // the previous byte was CR
    bool m_lineEmpty = true; // nothing yet on the current line
    bool m_refused = false;
};

} // namespace nav::http
