#pragma once
// Cheap deterministic images and PNG encoding with a "parameters" tEXt/iTXt chunk.
#include <QByteArray>
#include <QImage>
#include <QString>

namespace forgesim {

class PngWriter {
public:
    // Draws an image that depends only on prompt, seed and size; progress < 1 gives a blurrier, darker
    // partial image.
    static QImage render(int width, int height, const QString &prompt, quint64 seed, double progress = 1.0);
    // Encodes as PNG (fast compression) and inserts the infotext after IHDR.
    static QByteArray encode(const QImage &image, const QString &parameters);
};

} // namespace forgesim
