#pragma once
// Parses ms-style durations ("72h", "14d", "2 days", "1.5h", "500", "-1") into milliseconds, as the `ms` npm
// package that the original Navigator's jsonwebtoken uses. A bare number is milliseconds.
#include <QString>
#include <optional>

namespace nav::config {

std::optional<qint64> parseDurationMs(const QString &text);

} // namespace nav::config
