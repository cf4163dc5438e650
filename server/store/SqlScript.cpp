#include "server/store/SqlScript.h"

#include <QRegularExpression>

namespace nav::store {

QStringList splitSqlScript(const QString &script) {
    QString text = script;
    static const QRegularExpression blockComments(QStringLiteral("/\\*.*?\\*/"),
                                                  QRegularExpression::DotMatchesEverythingOption);
    text.remove(blockComments);
    QStringList statements;
    QString current;
    for (const QString &rawLine : text.split('\n')) {
        QString line = rawLine.trimmed();
        if (line.startsWith(QStringLiteral("--")) || line.startsWith('#') || line.isEmpty())
            continue;
        const qsizetype inlineComment = line.indexOf(QStringLiteral(" -- "));
        if (inlineComment >= 0)
            line = line.left(inlineComment).trimmed();
        current += (current.isEmpty() ? QString() : QStringLiteral("\n")) + line;
        if (!current.endsWith(';'))
            continue;
        const bool trigger = current.startsWith(QStringLiteral("create trigger"), Qt::CaseInsensitive);
        if (trigger && !current.endsWith(QStringLiteral("end;"), Qt::CaseInsensitive))
            continue;
        current.chop(1);
        statements << current.trimmed();
        current.clear();
    }
    if (!current.trimmed().isEmpty())
        statements << current.trimmed();
    return statements;
}

} // namespace nav::store
