#pragma once
// Forge's infotext (§6): building the PNG "parameters" text and parsing it back as /png-info does.
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace forgesim {

class Infotext {
public:
    static constexpr const char *kVersion = "f2.0.1v1.10.1-previous-669-gdfdcbab6";
    using Params = QList<QPair<QString, QString>>;

    static QString pyFloat(double v); // Python repr: 7.0, 0.35
    static QString build(const QString &prompt, const QString &negative, const Params &params);
    // /png-info "parameters": string values, Size-1/Size-2, Prompt/Negative prompt and Forge's defaults.
    static QJsonObject parse(const QString &text, const QString &currentCheckpoint,
                             const QStringList &currentModules);
};

} // namespace forgesim
