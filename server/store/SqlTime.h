#pragma once
// DATETIME columns read the same way from SQLite (text) and MariaDB (QDateTime): timestamps are written in
// UTC (MariaDB sessions run with time_zone +00:00, SQLite's current_timestamp is UTC).
#include <QDateTime>
#include <QVariant>

namespace nav::store {

// The column as a UTC QDateTime; invalid for NULL.
QDateTime utcDateTime(const QVariant &value);

} // namespace nav::store
