#pragma once
// Reassembles Socket.IO packets from Engine.IO messages: a text message is a packet header, and a binary
// event or ack is followed by as many binary messages as it announced. Pure state machine, no I/O.
#include "shared/realtime/SocketIoPacket.h"

#include <optional>

namespace nav::realtime {

class SocketIoDecoder {
public:
    enum class Result { Packet, NeedMore, Error };

    // Feed one Engine.IO message. On Result::Packet, take() returns the complete packet.
    Result addText(const QByteArray &text);
    Result addBinary(const QByteArray &bytes);
    SocketIoPacket take();
    QString errorString() const { return m_error; }
    void reset();

private:
    std::optional<SocketIoPacket> m_pending; // a binary packet still waiting for attachments
    int m_expected = 0;
    std::optional<SocketIoPacket> m_ready;
    QString m_error;
};

} // namespace nav::realtime
