#pragma once
// Reassembles Socket.IO packets from Engine.IO messages: a text message is a packet header, and a binary
// event or ack is followed by as many binary messages as it announced. Pure state machine, no I/O.
// A packet may announce at most Limits::maxAttachments attachments, and its header and attachments together
// may hold at most Limits::maxBytes; a packet over either limit is an error (the server drops the
// connection), so one session never buffers more than that.
#include "shared/realtime/SocketIoPacket.h"

#include <optional>

namespace nav::realtime {

class SocketIoDecoder {
public:
    enum class Result { Packet, NeedMore, Error };
    struct Limits {
        int maxAttachments = 10;
        qint64 maxBytes = 100'000'000;
    };

    SocketIoDecoder() = default;
    explicit SocketIoDecoder(const Limits &limits) : m_limits(limits) {}

    // Feed one Engine.IO message. On Result::Packet, take() returns the complete packet.
    Result addText(const QByteArray &text);
    Result addBinary(const QByteArray &bytes);
    SocketIoPacket take();
    QString errorString() const { return m_error; }
    void reset();

private:
    std::optional<SocketIoPacket> m_pending; // a binary packet still waiting for attachments
    int m_expected = 0;
    qint64 m_pendingBytes = 0; // header and attachment bytes of m_pending so far
    Limits m_limits;
    std::optional<SocketIoPacket> m_ready;
    QString m_error;
};

} // namespace nav::realtime
