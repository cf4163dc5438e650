#pragma once
// Small JSON helpers shared by the server and the admin window.
#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <optional>

namespace nav::json {

// Compact UTF-8 serialisation of an object or array.
QByteArray compact(const QJsonObject &object);
QByteArray compact(const QJsonArray &array);

// Parses a JSON object; an empty or whitespace-only input is an empty object (clients send "{}" or nothing).
// Returns nullopt when the input is not a JSON object.
std::optional<QJsonObject> parseObject(const QByteArray &bytes);

} // namespace nav::json
