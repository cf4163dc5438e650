#pragma once
// Binary values in Socket.IO packets. On the wire, each binary buffer of an event's arguments is replaced by
// {"_placeholder":true,"num":N} and sent as the N-th attachment. These helpers convert between that form
// (QJsonValue + attachments) and a QVariant tree in which the buffers are QByteArray values.
#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QVariant>

#include <optional>

namespace nav::realtime::SocketIoBinary {

// QByteArray values anywhere in `value` (through QVariantList / QVariantMap) become placeholders; the
// buffers are appended to `attachments` in placeholder order.
QJsonValue deconstruct(const QVariant &value, QList<QByteArray> &attachments);

// Placeholders become the QByteArray attachments they refer to. nullopt if one refers to a missing
// attachment (a malformed packet).
std::optional<QVariant> reconstruct(const QJsonValue &value, const QList<QByteArray> &attachments);

} // namespace nav::realtime::SocketIoBinary
