#include "server/config/Duration.h"

#include <QRegularExpression>

#include <cmath>

namespace nav::config {

namespace {

std::optional<double> unitMs(const QString &unit) {
    static const struct {
        const char *names[7];
        double ms;
    } table[] = {
        {{"", "ms", "msec", "msecs", "millisecond", "milliseconds"}, 1.0},
        {{"s", "sec", "secs", "second", "seconds"}, 1000.0},
        {{"m", "min", "mins", "minute", "minutes"}, 60'000.0},
        {{"h", "hr", "hrs", "hour", "hours"}, 3'600'000.0},
        {{"d", "day", "days"}, 86'400'000.0},
        {{"w", "week", "weeks"}, 604'800'000.0},
        {{"y", "yr", "yrs", "year", "years"}, 31'557'600'000.0},
    };
    const QString lower = unit.toLower();
    for (const auto &row : table)
        for (const char *name : row.names)
            if (name && lower == QLatin1String(name))
                return row.ms;
    return std::nullopt;
}

} // namespace

std::optional<qint64> parseDurationMs(const QString &text) {
    static const QRegularExpression pattern(QStringLiteral("^(-?(?:\\d+)?\\.?\\d+) *([a-zA-Z]*)$"));
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const auto factor = unitMs(match.captured(2));
    if (!factor)
        return std::nullopt;
    const double value = match.captured(1).toDouble() * *factor;
    if (!std::isfinite(value) || std::fabs(value) > 9.0e15)
        return std::nullopt;
    return static_cast<qint64>(std::llround(value));
}

} // namespace nav::config
