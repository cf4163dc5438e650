#include "server/api/ImageProbe.h"

#include <QString>

namespace nav::api {

namespace {

quint32 be16(const QByteArray &b, qsizetype at) {
    return (quint32(quint8(b[at])) << 8) | quint8(b[at + 1]);
}
quint32 be32(const QByteArray &b, qsizetype at) {
    return (be16(b, at) << 16) | be16(b, at + 2);
}
quint32 le16(const QByteArray &b, qsizetype at) {
    return quint8(b[at]) | (quint32(quint8(b[at + 1])) << 8);
}
quint32 le24(const QByteArray &b, qsizetype at) {
    return le16(b, at) | (quint32(quint8(b[at + 2])) << 16);
}

std::optional<ImageInfo> sized(const char *format, quint32 width, quint32 height) {
    if (width == 0 || height == 0 || width > 1'000'000 || height > 1'000'000)
        return std::nullopt;
    return ImageInfo{format, int(width), int(height)};
}

std::optional<ImageInfo> png(const QByteArray &b) {
    // Signature, then the IHDR chunk: length, "IHDR", width, height.
    if (b.size() < 24 || !b.startsWith("\x89PNG\r\n\x1a\n") || b.mid(12, 4) != "IHDR")
        return std::nullopt;
    return sized("png", be32(b, 16), be32(b, 20));
}

std::optional<ImageInfo> jpeg(const QByteArray &b) {
    if (b.size() < 4 || quint8(b[0]) != 0xFF || quint8(b[1]) != 0xD8)
        return std::nullopt;
    qsizetype pos = 2;
    while (pos + 1 < b.size()) {
        if (quint8(b[pos]) != 0xFF)
            return std::nullopt;
        while (pos < b.size() && quint8(b[pos]) == 0xFF) // fill bytes
            ++pos;
        if (pos >= b.size())
            return std::nullopt;
        const quint8 marker = quint8(b[pos++]);
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) // markers without a length
            continue;
        if (marker == 0xD9 || marker == 0xDA) // end of image, or scan data before any frame header
            return std::nullopt;
        if (pos + 2 > b.size())
            return std::nullopt;
        const quint32 length = be16(b, pos);
        if (length < 2)
            return std::nullopt;
        const bool frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (pos + 7 > b.size())
                return std::nullopt;
            return sized("jpeg", be16(b, pos + 5), be16(b, pos + 3)); // precision, height, width
        }
        pos += length;
    }
    return std::nullopt;
}

std::optional<ImageInfo> webp(const QByteArray &b) {
    if (b.size() < 30 || !b.startsWith("RIFF") || b.mid(8, 4) != "WEBP")
        return std::nullopt;
    const QByteArray chunk = b.mid(12, 4);
    if (chunk == "VP8 ") {
        if (quint8(b[23]) != 0x9D || quint8(b[24]) != 0x01 || quint8(b[25]) != 0x2A)
            return std::nullopt;
        return sized("webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
    }
    if (chunk == "VP8L") {
        if (quint8(b[20]) != 0x2F)
            return std::nullopt;
        const quint32 bits = le16(b, 21) | (quint32(le16(b, 23)) << 16);
        return sized("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (chunk == "VP8X")
        return sized("webp", le24(b, 24) + 1, le24(b, 27) + 1);
    return std::nullopt;
}

} // namespace

std::optional<ImageInfo> probeImage(const QByteArray &bytes) {
    if (auto info = png(bytes))
        return info;
    if (auto info = jpeg(bytes))
        return info;
    return webp(bytes);
}

std::optional<QByteArray> decodeBase64Image(const QString &text) {
    QStringView data(text);
    if (data.startsWith(QLatin1String("data:"))) {
        const qsizetype comma = data.indexOf(QLatin1Char(','));
        if (comma < 0 || !data.left(comma).endsWith(QLatin1String(";base64")))
            return std::nullopt;
        data = data.mid(comma + 1);
    }
    const auto result =
        QByteArray::fromBase64Encoding(data.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return *result;
}

} // namespace nav::api
