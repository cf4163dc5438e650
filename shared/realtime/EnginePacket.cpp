#include "shared/realtime/EnginePacket.h"

namespace nav::realtime::EngineCodec {

QByteArray encodeText(const EnginePacket &packet) {
    QByteArray out;
    out.reserve(packet.data.size() + 1);
    out.append(char('0' + static_cast<int>(packet.type)));
    out.append(packet.data);
    return out;
}

std::optional<EnginePacket> decodeText(const QByteArray &frame) {
    if (frame.isEmpty())
        return std::nullopt;
    const char digit = frame.at(0);
    if (digit < '0' || digit > '6')
        return std::nullopt;
    return EnginePacket{static_cast<EnginePacket::Type>(digit - '0'), frame.mid(1), false};
}

QByteArray encodePayload(const QList<EnginePacket> &packets) {
    QByteArray out;
    for (qsizetype i = 0; i < packets.size(); ++i) {
        if (i > 0)
            out.append(kSeparator);
        const EnginePacket &packet = packets.at(i);
        if (packet.binary && packet.type == EnginePacket::Type::Message)
            out.append('b').append(packet.data.toBase64());
        else
            out.append(encodeText(packet));
    }
    return out;
}

std::optional<QList<EnginePacket>> decodePayload(const QByteArray &body, int maxPackets) {
    QList<EnginePacket> packets;
    qsizetype start = 0;
    while (start <= body.size()) {
        qsizetype end = body.indexOf(kSeparator, start);
        if (end < 0)
            end = body.size();
        if (packets.size() >= maxPackets)
            return std::nullopt;
        const QByteArray segment = body.mid(start, end - start);
        if (segment.startsWith('b')) {
            auto decoded =
                QByteArray::fromBase64Encoding(segment.mid(1), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return std::nullopt;
            packets.append(EnginePacket::bytes(*decoded));
        } else {
            auto packet = decodeText(segment);
            if (!packet)
                return std::nullopt;
            packets.append(std::move(*packet));
        }
        start = end + 1;
    }
    return packets;
}

} // namespace nav::realtime::EngineCodec
