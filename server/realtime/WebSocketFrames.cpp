#include "server/realtime/WebSocketFrames.h"

#include <cstring>
#include <utility>

namespace nav::realtime::ws {

namespace {

constexpr unsigned char kFin = 0x80;
constexpr unsigned char kReservedBits = 0x70;
constexpr unsigned char kOpcodeBits = 0x0F;
constexpr unsigned char kMaskBit = 0x80;
constexpr unsigned char kLengthBits = 0x7F;
constexpr int kMaxControlPayload = 125;

bool isControl(Opcode opcode) {
    return (static_cast<quint8>(opcode) & 0x8) != 0;
}

bool isKnown(quint8 opcode) {
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

// The size of the whole header once its first two bytes are known.
int headerSizeFor(unsigned char second) {
    const int length = second & kLengthBits;
    const int extended = length == 126 ? 2 : length == 127 ? 8 : 0;
    return 2 + extended + ((second & kMaskBit) ? 4 : 0);
}

} // namespace

bool isValidCloseCode(quint16 code) {
    // 1004-1006 and 1015 are reserved and must never appear on the wire; 1016-2999 are unassigned.
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

bool isValidUtf8(QByteArrayView bytes) {
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        const unsigned char lead = *p;
        if (lead < 0x80) {
            ++p;
            continue;
        }
        int more;
        quint32 min;
        quint32 cp;
        if ((lead & 0xE0) == 0xC0) {
            more = 1, min = 0x80, cp = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            more = 2, min = 0x800, cp = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            more = 3, min = 0x10000, cp = lead & 0x07;
        } else {
            return false; // a continuation byte without a lead, or 0xF8..0xFF
        }
        if (end - p <= more)
            return false;
        for (int i = 1; i <= more; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += more + 1;
    }
    return true;
}

QByteArray encodeFrame(Opcode opcode, QByteArrayView payload) {
    const quint64 size = static_cast<quint64>(payload.size());
    const int extended = size < 126 ? 0 : size <= 0xFFFF ? 2 : 8;
    QByteArray frame(2 + extended + payload.size(), Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(frame.data());
    out[0] = kFin | static_cast<quint8>(opcode);
    if (extended == 0) {
        out[1] = static_cast<unsigned char>(size);
    } else {
        out[1] = extended == 2 ? 126 : 127;
        for (int i = 0; i < extended; ++i) // big-endian
            out[2 + i] = static_cast<unsigned char>(size >> (8 * (extended - 1 - i)));
    }
    if (!payload.isEmpty())
        memcpy(out + 2 + extended, payload.data(), payload.size());
    return frame;
}

QByteArray encodeClose(quint16 code, QByteArrayView reason) {
    qsizetype cut = qMin<qsizetype>(reason.size(), kMaxControlPayload - 2);
    // Never end in the middle of a UTF-8 sequence.
    while (cut > 0 && cut < reason.size() && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80)
        --cut;
    QByteArray payload(2, Qt::Uninitialized);
    payload[0] = static_cast<char>(code >> 8);
    payload[1] = static_cast<char>(code & 0xFF);
    payload.append(reason.first(cut));
    return encodeFrame(Opcode::Close, payload);
}

void FrameParser::fail(QList<FrameEvent> &events, quint16 code, const char *why) {
    m_finished = true;
    m_message = QByteArray();
    m_control = QByteArray();
    events.append(FrameEvent{FrameEvent::Kind::Error, QByteArray(why), code});
}

// Checks the header collected so far; false once it failed. Sets m_inPayload when the header is complete.
bool FrameParser::takeHeader(QList<FrameEvent> &events) {
    if (m_headerSize == 2) {
        const unsigned char first = m_header[0];
        const unsigned char second = m_header[1];
        const quint8 opcode = first & kOpcodeBits;
        // No extension is ever negotiated (permessage-deflate included), so every reserved bit is an error.
        if (first & kReservedBits)
            return fail(events, CloseCode::ProtocolError, "reserved bits set"), false;
        if (!isKnown(opcode))
            return fail(events, CloseCode::ProtocolError, "unknown opcode"), false;
        if (!(second & kMaskBit))
            return fail(events, CloseCode::ProtocolError, "client frame not masked"), false;
        m_opcode = static_cast<Opcode>(opcode);
        m_fin = first & kFin;
        if (isControl(m_opcode)) {
            if (!m_fin)
                return fail(events, CloseCode::ProtocolError, "fragmented control frame"), false;
            if ((second & kLengthBits) > kMaxControlPayload)
                return fail(events, CloseCode::ProtocolError, "control frame too long"), false;
        } else if (m_opcode == Opcode::Continuation) {
            if (m_messageOpcode == Opcode::Continuation)
                return fail(events, CloseCode::ProtocolError, "continuation without a message"), false;
        } else if (m_messageOpcode != Opcode::Continuation) {
            return fail(events, CloseCode::ProtocolError, "new message inside a fragmented one"), false;
        }
    }
    if (m_headerSize < 2 || m_headerSize < headerSizeFor(m_header[1]))
        return true;

    const int length7 = m_header[1] & kLengthBits;
    quint64 length = static_cast<quint64>(length7);
    int pos = 2;
    if (length7 >= 126) {
        const int bytes = length7 == 126 ? 2 : 8;
        length = 0;
        for (int i = 0; i < bytes; ++i)
            length = (length << 8) | m_header[pos++];
        if (length >> 63)
            return fail(events, CloseCode::ProtocolError, "frame length out of range"), false;
    }
    memcpy(m_mask, m_header + pos, 4);
    if (!isControl(m_opcode) && static_cast<quint64>(m_message.size()) + length >
                                    static_cast<quint64>(qMax<qint64>(0, m_maxMessageBytes)))
        return fail(events, CloseCode::MessageTooBig, "message too big"), false;
    m_remaining = length;
    m_maskOffset = 0;
    m_headerSize = 0;
    m_inPayload = true;
    if (m_remaining == 0)
        finishFrame(events);
    return !m_finished;
}

void FrameParser::finishFrame(QList<FrameEvent> &events) {
    m_inPayload = false;
    switch (m_opcode) {
    case Opcode::Ping:
        events.append(FrameEvent{FrameEvent::Kind::Ping, std::exchange(m_control, QByteArray())});
        return;
    case Opcode::Pong:
        events.append(FrameEvent{FrameEvent::Kind::Pong, std::exchange(m_control, QByteArray())});
        return;
    case Opcode::Close: {
        const QByteArray payload = std::exchange(m_control, QByteArray());
        if (payload.size() == 1)
            return fail(events, CloseCode::ProtocolError, "close frame with a one-byte payload");
        quint16 code = CloseCode::NoStatus;
        if (payload.size() >= 2) {
            code = static_cast<quint16>((static_cast<unsigned char>(payload[0]) << 8) |
                                        static_cast<unsigned char>(payload[1]));
            if (!isValidCloseCode(code))
                return fail(events, CloseCode::ProtocolError, "invalid close code");
        }
        const QByteArray reason = payload.mid(2);
        if (!isValidUtf8(reason))
            return fail(events, CloseCode::InvalidPayload, "close reason is not UTF-8");
        m_finished = true;
        events.append(FrameEvent{FrameEvent::Kind::Close, reason, code});
        return;
    }
    case Opcode::Continuation:
    case Opcode::Text:
    case Opcode::Binary:
        break;
    }
    if (m_opcode != Opcode::Continuation)
        m_messageOpcode = m_opcode;
    if (!m_fin)
        return;
    const Opcode type = std::exchange(m_messageOpcode, Opcode::Continuation);
    QByteArray message = std::exchange(m_message, QByteArray()); // an idle parser holds no buffer
    if (type == Opcode::Text) {
        if (!isValidUtf8(message))
            return fail(events, CloseCode::InvalidPayload, "text message is not UTF-8");
        events.append(FrameEvent{FrameEvent::Kind::Text, std::move(message)});
    } else {
        events.append(FrameEvent{FrameEvent::Kind::Binary, std::move(message)});
    }
}

QList<FrameEvent> FrameParser::feed(const char *data, qsizetype size) {
    QList<FrameEvent> events;
    const auto *in = reinterpret_cast<const unsigned char *>(data);
    qsizetype pos = 0;
    while (pos < size && !m_finished) {
        if (!m_inPayload) {
            m_header[m_headerSize++] = in[pos++];
            takeHeader(events);
            continue;
        }
        const qsizetype take = static_cast<qsizetype>(qMin<quint64>(m_remaining, size - pos));
        QByteArray &target = isControl(m_opcode) ? m_control : m_message;
        const qsizetype start = target.size();
        target.append(data + pos, take);
        auto *bytes = reinterpret_cast<unsigned char *>(target.data()) + start;
        for (qsizetype i = 0; i < take; ++i)
            bytes[i] ^= m_mask[(m_maskOffset + i) & 3];
        m_maskOffset += take;
        m_remaining -= take;
        pos += take;
        if (m_remaining == 0)
            finishFrame(events);
    }
    return events;
}

} // namespace nav::realtime::ws
