#pragma once
// How the shapes in shared/api write and read single values: null for "none", ISO 8601 UTC times, and the
// lenient readers for what other senders (older servers, hand-written fixtures) spell differently.
#include <QDateTime>
#include <QJsonValue>
#include <QString>

namespace nav::json {

// An empty string is null.
QJsonValue orNull(const QString &text);
// An invalid time is null; a valid one is ISO 8601 in UTC with milliseconds ("2026-01-02T03:04:05.000Z").
QJsonValue timeOrNull(const QDateTime &time);
// A Discord id sent as a string, or as a (too small to be safe) JSON number.
QString idString(const QJsonValue &value);
// A whole number sent as a number or a numeric string; `fallback` otherwise (null, missing, text).
int lenientInt(const QJsonValue &value, int fallback);
// ISO 8601 (UTC when it has no zone), epoch milliseconds, or "yyyy-MM-dd HH:mm:ss" as SQL prints it (UTC);
// invalid otherwise.
QDateTime lenientTime(const QJsonValue &value);

} // namespace nav::json
