#pragma once
// What the fuzz targets share: an assertion that aborts (so libFuzzer and the driver both report it) and a
// byte-to-text helper.
#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdlib>

namespace nav::fuzz {

inline void check(bool condition) {
    if (!condition)
        std::abort();
}

inline QByteArray bytesOf(const uint8_t *data, size_t size) {
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

} // namespace nav::fuzz
