#include "server/store/SqlScript.h"

namespace nav::store {

namespace {

// Drops every complete /* ... */, each ending at the first */ after it (an unterminated one stays).
QString withoutBlockComments(const QString &script) {
    QString text;
    text.reserve(script.size());
    qsizetype from = 0;
    for (;;) {
        const qsizetype open = script.indexOf(QLatin1String("/*"), from);
        const qsizetype close = open < 0 ? -1 : script.indexOf(QLatin1String("*/"), open + 2);
        if (close < 0)
            break;
        text += QStringView(script).mid(from, open - from);
        from = close + 2;
    }
    text += QStringView(script).mid(from);
    return text;
}

} // namespace

QStringList splitSqlScript(const QString &script) {
    const QString text = withoutBlockComments(script);
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
