#pragma once
// Pydantic-like (lax mode) body checks that produce FastAPI's 422 error list, plus typed accessors.
#include <QJsonArray>
#include <QJsonObject>

namespace forgesim {

class Validation {
public:
    enum class Kind { Txt2Img, Img2Img, PngInfo, Progress };
    // Parses and checks a body. Returns an empty array when it is valid; fills *out with the parsed object.
    static QJsonArray check(const QByteArray &body, Kind kind, QJsonObject *out);

    static QString str(const QJsonObject &o, const char *key, const QString &def = {});
    static qint64 integer(const QJsonObject &o, const char *key, qint64 def);
    static double number(const QJsonObject &o, const char *key, double def);
    static bool boolean(const QJsonObject &o, const char *key, bool def);
};

} // namespace forgesim
