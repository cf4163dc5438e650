#include "shared/realtime/SocketIoDecoder.h"

namespace nav::realtime {

SocketIoDecoder::Result SocketIoDecoder::addText(const QByteArray &text) {
    if (m_pending) {
        m_error = QStringLiteral("got plaintext data when reconstructing a packet");
        return Result::Error;
    }
    auto header = SocketIoCodec::decode(text, &m_error);
    if (!header)
        return Result::Error;
    if (header->expectedAttachments > m_limits.maxAttachments) {
        m_error = QStringLiteral("a packet announced %1 attachments; at most %2 are accepted")
                      .arg(header->expectedAttachments)
                      .arg(m_limits.maxAttachments);
        return Result::Error;
    }
    if (header->expectedAttachments > 0) {
        m_pendingBytes = text.size();
        m_pending = std::move(header->packet);
        m_expected = header->expectedAttachments;
        return Result::NeedMore;
    }
    m_ready = std::move(header->packet);
    return Result::Packet;
}

SocketIoDecoder::Result SocketIoDecoder::addBinary(const QByteArray &bytes) {
    if (!m_pending) {
        m_error = QStringLiteral("got binary data when not reconstructing a packet");
        return Result::Error;
    }
    m_pendingBytes += bytes.size();
    if (m_pendingBytes > m_limits.maxBytes) {
        m_error = QStringLiteral("a packet and its attachments exceed %1 bytes").arg(m_limits.maxBytes);
        return Result::Error;
    }
    m_pending->attachments.append(bytes);
    if (m_pending->attachments.size() < m_expected)
        return Result::NeedMore;
    m_ready = std::move(m_pending);
    m_pending.reset();
    return Result::Packet;
}

SocketIoPacket SocketIoDecoder::take() {
    SocketIoPacket packet = m_ready.value_or(SocketIoPacket{});
    m_ready.reset();
    return packet;
}

void SocketIoDecoder::reset() {
    m_pending.reset();
    m_ready.reset();
    m_expected = 0;
    m_pendingBytes = 0;
    m_error.clear();
}

} // namespace nav::realtime
