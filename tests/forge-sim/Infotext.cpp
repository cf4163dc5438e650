#include "Infotext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace forgesim {

QString Infotext::pyFloat(double v) {
    QString s = QString::number(v, 'g', 16);
    if (!s.contains('.') && !s.contains('e') && !s.contains("inf") && !s.contains("nan"))
        s += ".0";
    return s;
}

QString Infotext::build(const QString &prompt, const QString &negative, const Params &params) {
    QStringList pairs;
    for (const auto &p : params) {
        QString v = p.second;
        if (v.contains(',') || v.contains(':') || v.contains('\n'))
            v = QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact))
                    .mid(1)
                    .chopped(1);
        pairs.append(p.first + ": " + v);
    }
    QString text = prompt;
    if (!negative.isEmpty())
        text += "\nNegative prompt: " + negative;
    text += "\n" + pairs.join(", ");
    return text.trimmed();
}

QJsonObject Infotext::parse(const QString &text, const QString &currentCheckpoint,
                            const QStringList &currentModules) {
    QJsonObject res;
    QStringList lines = text.trimmed().split('\n');
    QString last = lines.isEmpty() ? QString() : lines.last().trimmed();
    // The parameter line has at least three "key: value" pairs, as in Forge's re_param check.
    static const QRegularExpression reParam(R"re(\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$))re");
    QString lastLine;
    if (last.count(reParam) >= 3) {
        lastLine = last;
        lines.removeLast();
    }
    QString prompt, negative;
    bool inNegative = false;
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines[i].trimmed();
        if (line.startsWith("Negative prompt:")) {
            inNegative = true;
            line = line.mid(16).trimmed();
        }
        QString &target = inNegative ? negative : prompt;
        target += (target.isEmpty() ? "" : "\n") + line;
    }
    auto it = reParam.globalMatch(lastLine);
    while (it.hasNext()) {
        const auto m = it.next();
        const QString key = m.captured(1).trimmed();
        QString value = m.captured(2).trimmed();
        if (value.startsWith('"') && value.endsWith('"') && value.size() >= 2) {
            const QJsonDocument d = QJsonDocument::fromJson(("[" + value + "]").toUtf8());
            if (d.isArray())
                value = d.array().at(0).toString();
        }
        static const QRegularExpression reSize(R"(^(\d+)x(\d+)$)");
        const auto sm = reSize.match(value);
        if (sm.hasMatch()) {
            res.insert(key + "-1", sm.captured(1));
            res.insert(key + "-2", sm.captured(2));
        } else {
            res.insert(key, value);
        }
    }
    res.insert("Prompt", prompt);
    res.insert("Negative prompt", negative);
    const QList<QPair<QString, QJsonValue>> defaults = {
        {"Clip skip", "1"},
        {"Hires resize-1", 0},
        {"Hires resize-2", 0},
        {"Hires sampler", "Use same sampler"},
        {"Hires schedule type", "Use same scheduler"},
        {"Hires checkpoint", "Use same checkpoint"},
        {"Hires prompt", ""},
        {"Hires negative prompt", ""},
        {"Mask mode", "Inpaint masked"},
        {"Masked content", "original"},
        {"Inpaint area", "Whole picture"},
        {"Masked area padding", 32},
        {"RNG", "GPU"},
        {"Schedule type", "Automatic"},
        {"Schedule max sigma", 0},
        {"Schedule min sigma", 0},
        {"Schedule rho", 0},
        {"VAE Encoder", "Full"},
        {"VAE Decoder", "Full"},
        {"FP8 weight", "Disable"},
        {"Refiner switch by sampling steps", false},
    };
    for (const auto &d : defaults)
        if (!res.contains(d.first))
            res.insert(d.first, d.second);
    static const QRegularExpression reEmphasis(R"(\(.+:\s*[\d.]+\s*\))");
    if (!res.contains("Emphasis") && (prompt + negative).contains(reEmphasis))
        res.insert("Emphasis", "Original");
    if (!res.contains("Hires VAE/TE")) {
        QJsonArray hiresModules;
        for (int i = 1; res.contains(QStringLiteral("Hires Module %1").arg(i)); ++i) {
            const QString v = res.value(QStringLiteral("Hires Module %1").arg(i)).toString();
            if (v != "Built-in")
                hiresModules.append(v);
        }
        res.insert("Hires VAE/TE", res.contains("Hires Module 1")
                                       ? QJsonValue(hiresModules)
                                       : QJsonValue(QJsonArray{"Use same choices"}));
    }
    QStringList modules;
    for (int i = 1; res.contains(QStringLiteral("Module %1").arg(i)); ++i)
        modules.append(res.value(QStringLiteral("Module %1").arg(i)).toString());
    if (!modules.isEmpty() && modules != currentModules)
        res.insert("VAE/TE", QJsonArray::fromStringList(modules));
    if (res.contains("Model") && currentCheckpoint.contains(res.value("Model").toString()))
        res.remove("Model");
    return res;
}

} // namespace forgesim
