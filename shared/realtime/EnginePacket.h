#pragma once
// Engine.IO v4 packets and their wire encodings. Pure functions, no I/O: used by the realtime server and by
// the SocketIoClient of the admin window.
//
// A packet on the wire is one type digit followed by its data ("4hello", "2probe"). Over HTTP long-polling
// several packets travel in one body joined by the record separator \x1e, and binary messages are sent as
// "b" + base64. Over WebSocket each packet is one frame; binary messages are binary frames without a prefix.
#include <QByteArray>
#include <QList>

#include <optional>

namespace nav::realtime {

struct EnginePacket {
    enum class Type { Open = 0, Close = 1, Ping = 2, Pong = 3, Message = 4, Upgrade = 5, Noop = 6 };

    Type type = Type::Message;
    QByteArray data;
    bool binary = false; // a binary message (only meaningful for Type::Message)

    static EnginePacket make(Type type, const QByteArray &data = {}) { return {type, data, false}; }
    static EnginePacket text(const QByteArray &utf8) { return {Type::Message, utf8, false}; }
    static EnginePacket bytes(const QByteArray &raw) { return {Type::Message, raw, true}; }
    bool operator==(const EnginePacket &other) const {
        return type == other.type && data == other.data && binary == other.binary;
    }
};

namespace EngineCodec {

// Record separator between packets of one polling body.
constexpr char kSeparator = '\x1e';

// A text packet ("<type digit><data>"), as in a WebSocket text frame. Not for binary messages.
QByteArray encodeText(const EnginePacket &packet);
// A text frame back into a packet; nullopt when empty or the type digit is unknown.
std::optional<EnginePacket> decodeText(const QByteArray &frame);

// Several packets as one polling body (binary messages become "b<base64>").
QByteArray encodePayload(const QList<EnginePacket> &packets);
// A polling body into packets; nullopt if any packet is malformed (the session must then be closed).
// At most maxPackets packets are accepted, so a hostile body cannot produce an unbounded list.
std::optional<QList<EnginePacket>> decodePayload(const QByteArray &body, int maxPackets = 10'000);

} // namespace EngineCodec

} // namespace nav::realtime
