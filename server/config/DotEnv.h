#pragma once
// A dotenv-compatible parser: KEY=VALUE lines, `#` comments, `export ` prefixes, single, double and backtick
// quotes (double quotes expand \n), and multi-line quoted values.
#include <QHash>
#include <QString>
#include <optional>

namespace nav::config {

using EnvMap = QHash<QString, QString>;

EnvMap parseDotEnv(const QString &text);

} // namespace nav::config
