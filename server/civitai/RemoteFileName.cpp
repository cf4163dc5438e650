#include "server/civitai/RemoteFileName.h"

namespace nav::civitai {

bool isSafeRemoteFileName(const QString &name) {
    if (name.isEmpty() || name.toUtf8().size() > 255 || name.startsWith('.') || name.trimmed() != name)
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0)) // C0, DEL and C1 control characters
            return false;
        if (c == '/' || c == '\\' || c == ':' || c == QChar(0x2215) ||
            c == QChar(0x2044)) // incl. look-alike slashes
            return false;
    }
    return !name.contains(QStringLiteral(".."));
}

} // namespace nav::civitai
