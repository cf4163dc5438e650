#include "shared/realtime/SocketIoPacket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace nav::realtime::SocketIoCodec {

namespace {

constexpr int kMaxIdDigits = 15;      // keeps the id inside the exact range of a JS number
constexpr int kMaxAttachments = 1000; // a packet announcing more is treated as hostile

QByteArray toJson(const QJsonValue &value) {
    // QJsonDocument only holds arrays and objects; wrap scalars in an array and strip the brackets.
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

std::optional<QJsonValue> parseJson(const QByteArray &text) {
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}

bool payloadValid(SocketIoPacket::Type type, const QJsonValue &payload) {
    using T = SocketIoPacket::Type;
    switch (type) {
    case T::Connect:
        return payload.isObject();
    case T::Disconnect:
        return false; // a DISCONNECT carries no payload
    case T::ConnectError:
        return payload.isObject() || payload.isString();
    case T::Event:
    case T::BinaryEvent: {
        if (!payload.isArray() || payload.toArray().isEmpty())
            return false;
        const QJsonValue first = payload.toArray().at(0);
        return first.isDouble() || (first.isString() && !isReservedEvent(first.toString()));
    }
    case T::Ack:
    case T::BinaryAck:
        return payload.isArray();
    }
    return false;
}

bool fail(QString *error, const QString &message) {
    if (error)
        *error = message;
    return false;
}

} // namespace

bool isReservedEvent(const QString &name) {
    static const QStringList reserved{"connect",       "connect_error", "disconnect",
                                      "disconnecting", "newListener",   "removeListener"};
    return reserved.contains(name);
}

QByteArray encode(const SocketIoPacket &packet) {
    using T = SocketIoPacket::Type;
    T type = packet.type;
    if (!packet.attachments.isEmpty()) {
        if (type == T::Event)
            type = T::BinaryEvent;
        else if (type == T::Ack)
            type = T::BinaryAck;
    }
    QByteArray out;
    out.append(char('0' + static_cast<int>(type)));
    if (type == T::BinaryEvent || type == T::BinaryAck)
        out.append(QByteArray::number(packet.attachments.size())).append('-');
    if (!packet.nsp.isEmpty() && packet.nsp != QLatin1String("/"))
        out.append(packet.nsp.toUtf8()).append(',');
    if (packet.hasId())
        out.append(QByteArray::number(packet.id));
    if (!packet.data.isUndefined())
        out.append(toJson(packet.data));
    return out;
}

std::optional<Header> decode(const QByteArray &text, QString *error) {
    using T = SocketIoPacket::Type;
    Header header;
    SocketIoPacket &packet = header.packet;
    if (text.isEmpty() || text.at(0) < '0' || text.at(0) > '6') {
        fail(error, QStringLiteral("unknown packet type"));
        return std::nullopt;
    }
    packet.type = static_cast<T>(text.at(0) - '0');
    qsizetype i = 1;
    if (packet.type == T::BinaryEvent || packet.type == T::BinaryAck) {
        const qsizetype dash = text.indexOf('-', i);
        bool ok = false;
        const int count = dash > i && dash - i <= 6 ? text.mid(i, dash - i).toInt(&ok) : -1;
        if (!ok || count < 0 || count > kMaxAttachments) {
            fail(error, QStringLiteral("illegal attachments"));
            return std::nullopt;
        }
        header.expectedAttachments = count;
        i = dash + 1;
    }
    if (i < text.size() && text.at(i) == '/') {
        qsizetype end = text.indexOf(',', i);
        const bool hasComma = end >= 0;
        if (!hasComma)
            end = text.size();
        packet.nsp = QString::fromUtf8(text.mid(i, end - i));
        i = hasComma ? end + 1 : end;
    }
    qsizetype idEnd = i;
    while (idEnd < text.size() && text.at(idEnd) >= '0' && text.at(idEnd) <= '9')
        ++idEnd;
    if (idEnd > i) {
        if (idEnd - i > kMaxIdDigits) {
            fail(error, QStringLiteral("ack id too long"));
            return std::nullopt;
        }
        packet.id = text.mid(i, idEnd - i).toLongLong();
        i = idEnd;
    }
    if (i < text.size()) {
        const auto payload = parseJson(text.mid(i));
        if (!payload || !payloadValid(packet.type, *payload)) {
            fail(error, QStringLiteral("invalid payload"));
            return std::nullopt;
        }
        packet.data = *payload;
    } else if (packet.type == T::Event || packet.type == T::BinaryEvent || packet.type == T::Ack ||
               packet.type == T::BinaryAck || packet.type == T::ConnectError) {
        fail(error, QStringLiteral("missing payload"));
        return std::nullopt;
    }
    return header;
}

} // namespace nav::realtime::SocketIoCodec
