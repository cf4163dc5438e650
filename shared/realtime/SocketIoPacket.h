#pragma once
// Socket.IO v5 packets and their text encoding. Pure functions, no I/O.
//
// Wire form: <type>[<attachments>-][<namespace>,][<ack id>][<JSON>], e.g. `2["hello",1]`, `2/admin,12["x"]`,
// `0{"token":"..."}`, `5 1-["file",{"_placeholder":true,"num":0}]` (without the space) followed by one binary
// Engine.IO message per attachment. The JSON keeps the {"_placeholder":true,"num":N} objects; the binary
// buffers travel in `attachments` (see SocketIoBinary to turn them into QByteArray values and back).
#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace nav::realtime {

struct SocketIoPacket {
    enum class Type {
        Connect = 0,
        Disconnect = 1,
        Event = 2,
        Ack = 3,
        ConnectError = 4,
        BinaryEvent = 5,
        BinaryAck = 6
    };

    Type type = Type::Event;
    QString nsp = QStringLiteral("/");
    qint64 id = -1;                          // ack id, -1 when absent
    QJsonValue data = QJsonValue::Undefined; // Undefined when the packet has no payload
    QList<QByteArray> attachments;           // binary buffers of BinaryEvent / BinaryAck

    bool hasId() const { return id >= 0; }
};

namespace SocketIoCodec {

// The text part of a packet. An Event/Ack with attachments is written as BinaryEvent/BinaryAck; the caller
// sends the attachments as binary messages right after it.
QByteArray encode(const SocketIoPacket &packet);

struct Header {
    SocketIoPacket packet; // without attachments yet
    int expectedAttachments = 0;
};

// Parses the text part of a packet and checks its payload against the rules of the official parser
// (Event: non-empty array whose first element is a non-reserved event name; Connect: object; and so on).
// Returns nullopt with `error` set when the packet is malformed.
std::optional<Header> decode(const QByteArray &text, QString *error = nullptr);

// Whether `name` may be used as an event name by a peer (the official parser reserves some).
bool isReservedEvent(const QString &name);

} // namespace SocketIoCodec

} // namespace nav::realtime
