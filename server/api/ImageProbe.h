#pragma once
// Recognises an uploaded image (init_image, mask) from its first bytes: PNG, JPEG or WebP magic plus the
// dimensions in its header, without decoding the pixels. Pure and bounds-checked (it is fuzzed).
#include <QByteArray>

#include <optional>

namespace nav::api {

struct ImageInfo {
    QByteArray format; // "png", "jpeg" or "webp"
    int width = 0;
    int height = 0;
};

// nullopt when the bytes are none of the three formats or their header is cut short or has a zero size.
std::optional<ImageInfo> probeImage(const QByteArray &bytes);

// Decodes base64 image text as clients send it, with or without a "data:image/...;base64," prefix.
// nullopt when it is not valid base64.
std::optional<QByteArray> decodeBase64Image(const QString &text);

} // namespace nav::api
