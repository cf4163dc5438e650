#pragma once
// Splits a migration file into statements: drops comments, splits on ';' at line ends, and keeps
// CREATE TRIGGER ... BEGIN ... END; blocks whole.
#include <QString>
#include <QStringList>

namespace nav::store {

QStringList splitSqlScript(const QString &script);

} // namespace nav::store
