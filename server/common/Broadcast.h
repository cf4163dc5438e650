#pragma once
// How the model services announce changes to every realtime client (models-refreshed,
// model-download-progress). main.cpp wires it to the RealtimeHub; tests record the calls.
#include <QJsonObject>
#include <QString>

#include <functional>

namespace nav::common {

using Broadcast = std::function<void(const QString &event, const QJsonObject &payload)>;

} // namespace nav::common
