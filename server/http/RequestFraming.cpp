#include "server/http/RequestFraming.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace nav::http {

namespace {

// RFC 9110 token characters (method and header field names).
bool isTokenChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(const QByteArray &s) {
    if (s.isEmpty())
        return false;
    for (char c : s)
        if (!isTokenChar(c))
            return false;
    return true;
}

// Field values may hold visible characters, spaces, tabs and obs-text, but no other control characters.
bool isFieldValue(const QByteArray &s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool isRequestLine(const QByteArray &line) {
    const qsizetype first = line.indexOf(' ');
    const qsizetype last = line.lastIndexOf(' ');
    if (first <= 0 || last <= first + 1)
        return false;
    const QByteArray target = line.mid(first + 1, last - first - 1);
    const QByteArray version = line.mid(last + 1);
    // Only the methods the routers know; anything else is refused here.
    static const QList<QByteArray> methods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    if (!methods.contains(line.left(first)) || (version != "HTTP/1.1" && version != "HTTP/1.0"))
        return false;
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) // no spaces, controls or raw non-ASCII in the target
            return false;
    }
    return true;
}

HeadVerdict refusal(int status, const QByteArray &message) {
    HeadVerdict v;
    v.status = status;
    v.message = message;
    return v;
}

} // namespace

QByteArray errorCodeFor(int status) {
    switch (status) {
    case 408:
        return "REQUEST_TIMEOUT";
    case 411:
        return "LENGTH_REQUIRED";
    case 413:
        return "PAYLOAD_TOO_LARGE";
    case 431:
        return "HEADERS_TOO_LARGE";
    case 503:
        return "SERVER_BUSY";
    default:
        return "BAD_REQUEST";
    }
}

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 422:
        return "Unprocessable Entity";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default: // the status code is what clients read; the phrase is only for people
        return status < 300   ? "OK"
               : status < 400 ? "Redirect"
               : status < 500 ? "Client Error"
                              : "Server Error";
    }
}

QByteArray RequestHead::value(QByteArrayView lowerCaseName) const {
    for (auto it = fields.crbegin(); it != fields.crend(); ++it)
        if (it->first == lowerCaseName)
            return it->second;
    return {};
}

HeadVerdict judgeHead(const QByteArray &head, const FramingLimits &limits, RequestHead *parsed) {
    const QList<QByteArray> lines = head.split('\n');
    // Lines end in CRLF (the scanner guarantees it); strip the CR.
    auto lineAt = [&lines](qsizetype i) {
        const QByteArray &l = lines[i];
        return l.endsWith('\r') ? l.chopped(1) : l;
    };
    if (!isRequestLine(lineAt(0)))
        return refusal(400, "Malformed request line");
    HeadVerdict verdict;
    verdict.http10 = lineAt(0).endsWith(" HTTP/1.0");
    bool haveLength = false;
    bool haveTransferEncoding = false;
    QList<std::pair<QByteArray, QByteArray>> fields;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lineAt(i);
        if (line.startsWith(' ') || line.startsWith('\t'))
            return refusal(400, "Folded header lines (obs-fold) are not accepted");
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon).toLower();
        if (colon <= 0 || !isToken(name))
            return refusal(400, "Malformed header line");
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (!isFieldValue(value))
            return refusal(400, "Control characters in a header value");
        if (name == "content-length") {
            if (haveLength)
                return refusal(400, "More than one Content-Length header");
            haveLength = true;
            if (value.isEmpty() || value.size() > 18)
                return refusal(400, "Invalid Content-Length header");
            for (char c : value)
                if (c < '0' || c > '9')
                    return refusal(400, "Invalid Content-Length header");
            verdict.contentLength = value.toLongLong();
        } else if (name == "transfer-encoding") {
            haveTransferEncoding = true;
        } else if (name == "expect" && value.compare("100-continue", Qt::CaseInsensitive) == 0) {
            verdict.expectContinue = true;
        }
        if (parsed)
            fields.append({name, value});
    }
    if (haveTransferEncoding && haveLength)
        return refusal(400, "Content-Length and Transfer-Encoding together are not accepted");
    if (haveTransferEncoding)
        return refusal(411, "Transfer-Encoding request bodies are not accepted; send a Content-Length");
    if (verdict.contentLength > limits.maxBodyBytes)
        return refusal(413, "The request body is larger than the limit of " +
                                QByteArray::number(limits.maxBodyBytes) + " bytes (" + limits.bodyLimitName +
                                ")");
    if (parsed) {
        const QByteArray requestLine = lineAt(0);
        const qsizetype first = requestLine.indexOf(' ');
        const qsizetype last = requestLine.lastIndexOf(' ');
        parsed->method = requestLine.left(first);
        parsed->target = requestLine.mid(first + 1, last - first - 1);
        parsed->fields = std::move(fields);
    }
    return verdict;
}

HeadVerdict FramingScanner::refuse(int status, const QByteArray &message) {
    m_refused = true;
    m_head = QByteArray();
    return refusal(status, message);
}

qsizetype FramingScanner::feedHead(const char *data, qsizetype size, std::optional<HeadVerdict> *verdict,
                                   RequestHead *parsed) {
    qsizetype pos = 0;
    while (pos < size && !m_refused) {
        const char c = data[pos++];
        if (m_expectLf) {
            m_expectLf = false;
            if (c != '\n') {
                *verdict = refuse(400, "Bare CR in the request head");
                break;
            }
            if (!m_lineEmpty) { // end of a line
                m_head += '\n';
                m_lineEmpty = true;
                continue;
            }
            if (m_head.isEmpty()) // an empty line between requests is allowed (RFC 9112 §2.2)
                continue;
            m_head.chop(1); // the head ends with the empty line
            *verdict = judgeHead(m_head, m_limits, parsed);
            m_head = QByteArray(); // released: an idle connection keeps no buffer
            m_refused = !(*verdict)->accepted();
            break;
        }
        if (c == '\r') {
            m_expectLf = true;
            continue;
        }
        if (c == '\n') {
            *verdict = refuse(400, "Bare LF in the request head; lines must end in CRLF");
            break;
        }
        m_head += c;
        m_lineEmpty = false;
        if (m_head.size() > m_limits.maxHeaderBytes) {
            *verdict = refuse(431, "The request headers are too large");
            break;
        }
    }
    return pos;
}

QByteArray refusalAnswer(int status, const QByteArray &message, const QByteArray &extraHeaders) {
    const QByteArray body =
        QJsonDocument(QJsonObject{{"error", QString::fromUtf8(message)},
                                  {"error_code", QString::fromLatin1(errorCodeFor(status))}})
            .toJson(QJsonDocument::Compact);
    QByteArray answer = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    answer += "Content-Type: application/json\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n";
    answer += extraHeaders;
    answer += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return answer;
}

} // namespace nav::http
