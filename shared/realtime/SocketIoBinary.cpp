#include "shared/realtime/SocketIoBinary.h"

#include <QJsonArray>
#include <QJsonObject>

namespace nav::realtime::SocketIoBinary {

QJsonValue deconstruct(const QVariant &value, QList<QByteArray> &attachments) {
    switch (value.metaType().id()) {
    case QMetaType::QByteArray: {
        attachments.append(value.toByteArray());
        return QJsonObject{{"_placeholder", true}, {"num", attachments.size() - 1}};
    }
    case QMetaType::QVariantList: {
        QJsonArray array;
        for (const QVariant &item : value.toList())
            array.append(deconstruct(item, attachments));
        return array;
    }
    case QMetaType::QVariantMap: {
        QJsonObject object;
        const QVariantMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            object.insert(it.key(), deconstruct(it.value(), attachments));
        return object;
    }
    default:
        return QJsonValue::fromVariant(value);
    }
}

std::optional<QVariant> reconstruct(const QJsonValue &value, const QList<QByteArray> &attachments) {
    if (value.isArray()) {
        QVariantList list;
        for (const QJsonValue &item : value.toArray()) {
            auto converted = reconstruct(item, attachments);
            if (!converted)
                return std::nullopt;
            list.append(*converted);
        }
        return list;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.value("_placeholder").toBool() && object.value("num").isDouble()) {
            const double num = object.value("num").toDouble();
            if (num < 0 || num >= attachments.size() || num != static_cast<qsizetype>(num))
                return std::nullopt;
            return QVariant(attachments.at(static_cast<qsizetype>(num)));
        }
        QVariantMap map;
        for (auto it = object.begin(); it != object.end(); ++it) {
            auto converted = reconstruct(it.value(), attachments);
            if (!converted)
                return std::nullopt;
            map.insert(it.key(), *converted);
        }
        return map;
    }
    return value.toVariant();
}

} // namespace nav::realtime::SocketIoBinary
