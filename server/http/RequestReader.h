#pragma once
// Reads HTTP/1.1 requests from a connection's byte stream (RawHttpConnection, on both ports): FramingScanner
// decides the framing (RequestFraming), and the reader keeps the head's fields and collects the
// Content-Length body. Input that follows a complete request (a pipelined request, or WebSocket frames after
// an upgrade head) stays buffered until the caller asks for it. No socket here: the caller feeds bytes and
// steps through the results, so the reader is fuzzed on its own.
#include "server/http/RequestFraming.h"

namespace nav::http {

struct HttpRequest {
    RequestHead head;
    QByteArray body;
    bool http10 = false;
};

class RequestReader {
public:
    enum class Step {
        NeedMore, // nothing complete in what is buffered
        Head,     // a head was accepted (verdict() tells its Content-Length and Expect); its body may follow
        Request,  // a whole request is ready: takeRequest()
        Refused,  // the framing was refused (verdict() tells why); the reader ignores everything afterwards
    };

    explicit RequestReader(const FramingLimits &limits) : m_scanner(limits) {}

    void append(const char *data, qsizetype size) { m_input.append(data, size); }
    // Advances over the buffered input. After Head, the next call continues with the body; after Request,
    // takeRequest() must be called before the next head is read.
    Step next();
    const HeadVerdict &verdict() const { return m_verdict; }
    HttpRequest takeRequest();

    bool inHead() const { return m_scanner.inHead() || (!m_haveHead && !m_input.isEmpty()); }
    bool inBody() const { return m_haveHead && !m_requestReady; }
    qsizetype buffered() const { return m_input.size(); }
    // The input not consumed yet (bytes after the last request), leaving the reader empty.
    QByteArray takeBuffered() { return std::exchange(m_input, QByteArray()); }

private:
    FramingScanner m_scanner;
    QByteArray m_input; // received, not consumed yet; released when empty
    HeadVerdict m_verdict;
    HttpRequest m_request;
    bool m_haveHead = false;
    bool m_requestReady = false;
};

} // namespace nav::http
