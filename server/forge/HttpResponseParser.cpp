#include "server/forge/HttpResponseParser.h"

#include <QList>

#include <algorithm>

namespace nav::forge {

namespace {

// Bigger Content-Length values are allocated as the body arrives, not up front.
constexpr qint64 kMaxReserveBytes = 16 * 1024 * 1024;

bool isToken(const QByteArray &name) {
    if (name.isEmpty())
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return c > ' ' && c < 127 && c != ':' && c != '"' && c != '(' && c != ')' && c != ',';
    });
}

// Comma-separated list values of a header (Connection, Transfer-Encoding), lower-cased and trimmed.
QList<QByteArray> listValues(const QByteArray &value) {
    QList<QByteArray> items;
    for (const QByteArray &item : value.split(','))
        if (const QByteArray trimmed = item.trimmed().toLower(); !trimmed.isEmpty())
            items.append(trimmed);
    return items;
}

} // namespace

HttpResponseParser::State HttpResponseParser::fail(const QString &why) {
    m_error = why;
    m_stage = Stage::Done;
    return m_state = State::Bad;
}

HttpResponseParser::State HttpResponseParser::feed(const QByteArray &bytes) {
    if (bytes.isEmpty() || m_state == State::Bad)
        return m_state;
    m_started = true;
    if (m_buffer.isEmpty())
        m_buffer = bytes; // shared, not copied
    else
        m_buffer.append(bytes);
    if (m_state == State::NeedMore)
        step();
    return m_state;
}

HttpResponseParser::State HttpResponseParser::finishAtClose() {
    if (m_state == State::NeedMore && m_stage == Stage::UntilClose) {
        m_stage = Stage::Done;
        m_state = State::Complete;
    }
    return m_state;
}

bool HttpResponseParser::takeLine(QByteArray &line) {
    const qsizetype end = m_buffer.indexOf('\n');
    if (end < 0) {
        if (m_buffer.size() > kMaxHeaderBytes)
            fail(QStringLiteral("a header line is longer than %1 bytes").arg(kMaxHeaderBytes));
        return false;
    }
    line = m_buffer.left(end > 0 && m_buffer.at(end - 1) == '\r' ? end - 1 : end);
    m_buffer.remove(0, end + 1);
    if (m_stage == Stage::StatusLine || m_stage == Stage::Headers || m_stage == Stage::Trailers) {
        m_headerBytes += end + 1;
        if (m_headerBytes > kMaxHeaderBytes) {
            fail(QStringLiteral("the headers are bigger than %1 bytes").arg(kMaxHeaderBytes));
            return false;
        }
    }
    return true;
}

bool HttpResponseParser::parseStatusLine(const QByteArray &line) {
    // "HTTP/1.1 200 OK"; the reason phrase may be empty or missing.
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || (line.at(7) != '0' && line.at(7) != '1') ||
        line.at(8) != ' ')
        return false;
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        if (line.at(i) < '0' || line.at(i) > '9')
            return false;
        status = status * 10 + (line.at(i) - '0');
    }
    if (status < 100 || status > 599 || (line.size() > 12 && line.at(12) != ' '))
        return false;
    m_status = status;
    m_http10 = line.at(7) == '0';
    return true;
}

bool HttpResponseParser::parseHeader(const QByteArray &line) {
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.left(colon)))
        return false; // also folded continuation lines, which start with white space
    const QByteArray name = line.left(colon).toLower();
    const QByteArray value = line.mid(colon + 1).trimmed();
    if (name == "content-length") {
        bool ok = false;
        const qint64 length = value.toLongLong(&ok);
        const bool digitsOnly =
            std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!ok || !digitsOnly || value.isEmpty() || (m_contentLength >= 0 && m_contentLength != length))
            return false;
        m_contentLength = length;
    } else if (name == "transfer-encoding") {
        const QList<QByteArray> codings = listValues(value);
        m_chunked = !codings.isEmpty() && codings.last() == "chunked";
        m_otherCoding = !m_chunked; // another final coding: the body runs until the close
    } else if (name == "connection") {
        for (const QByteArray &option : listValues(value)) {
            m_connectionClose = m_connectionClose || option == "close";
            m_connectionKeepAlive = m_connectionKeepAlive || option == "keep-alive";
        }
    }
    return true;
}

bool HttpResponseParser::startBody() {
    const bool persistent = m_http10 ? m_connectionKeepAlive && !m_connectionClose : !m_connectionClose;
    m_keepAlive = persistent;
    if (m_status == 204 || m_status == 304) {
        m_stage = Stage::Done;
    } else if (m_chunked) {
        m_stage = Stage::ChunkSize;
    } else if (m_contentLength >= 0 && !m_otherCoding) {
        m_remaining = m_contentLength;
        m_body.reserve(qsizetype(std::min(m_contentLength, kMaxReserveBytes)));
        m_stage = m_remaining == 0 ? Stage::Done : Stage::FixedBody;
    } else {
        m_keepAlive = false;
        m_stage = Stage::UntilClose;
    }
    return true;
}

void HttpResponseParser::step() {
    QByteArray line;
    while (m_state == State::NeedMore) {
        switch (m_stage) {
        case Stage::StatusLine:
            if (!takeLine(line))
                return;
            if (!parseStatusLine(line))
                return void(fail(QStringLiteral("malformed status line")));
            m_stage = Stage::Headers;
            break;
        case Stage::Headers:
            if (!takeLine(line))
                return;
            if (!line.isEmpty()) {
                if (!parseHeader(line))
                    return void(fail(QStringLiteral("malformed header line")));
                break;
            }
            if (m_status == 101)
                return void(fail(QStringLiteral("unexpected protocol switch")));
            if (m_status < 200) { // 100 Continue, 103 Early Hints: the real answer follows
                const QByteArray rest = std::move(m_buffer);
                reset();
                m_started = true;
                m_buffer = rest;
                break;
            }
            startBody();
            break;
        case Stage::FixedBody:
        case Stage::ChunkData: {
            const qsizetype n = qsizetype(std::min<qint64>(m_remaining, m_buffer.size()));
            if (n == 0)
                return;
            if (m_body.isEmpty() && n == m_buffer.size()) {
                m_body = std::move(m_buffer);
                m_buffer.clear();
            } else {
                m_body.append(m_buffer.constData(), n);
                m_buffer.remove(0, n);
            }
            m_remaining -= n;
            if (m_remaining == 0)
                m_stage = m_stage == Stage::FixedBody ? Stage::Done : Stage::ChunkEnd;
            break;
        }
        case Stage::ChunkSize: {
            if (!takeLine(line))
                return;
            const QByteArray digits =
                line.left(line.indexOf(';') < 0 ? line.size() : line.indexOf(';')).trimmed();
            bool ok = false;
            const qint64 size = digits.size() <= 15 ? digits.toLongLong(&ok, 16) : -1;
            if (!ok || size < 0 || digits.startsWith('+') || digits.startsWith('-'))
                return void(fail(QStringLiteral("malformed chunk size")));
            m_remaining = size;
            m_stage = size == 0 ? Stage::Trailers : Stage::ChunkData;
            break;
        }
        case Stage::ChunkEnd:
            if (!takeLine(line))
                return;
            if (!line.isEmpty())
                return void(fail(QStringLiteral("chunk not followed by CR LF")));
            m_stage = Stage::ChunkSize;
            break;
        case Stage::Trailers:
            if (!takeLine(line))
                return;
            if (line.isEmpty())
                m_stage = Stage::Done;
            break;
        case Stage::UntilClose:
            m_body.append(m_buffer);
            m_buffer.clear();
            return;
        case Stage::Done:
            m_state = State::Complete;
            return;
        }
    }
}

} // namespace nav::forge
