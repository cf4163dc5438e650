#pragma once
// Cheap deterministic images and PNG encoding with a "parameters" tEXt/iTXt chunk.
#include <QByteArray>
#include <QImage>
#include <QList>
#include <QPair>
#include <QString>

namespace forgesim {

class PngWriter {
public:
    // Draws an image that depends only on prompt, seed and size; progress < 1 gives a blurrier, darker
    // partial image.
    static QImage render(int width, int height, const QString &prompt, quint64 seed, double progress = 1.0);
    // Encodes as PNG (fast compression) and inserts the infotext after IHDR.
    static QByteArray encode(const QImage &image, const QString &parameters);
    // The tEXt and uncompressed iTXt chunks of a PNG before its pixel data, in file order, without decoding
    // it. False when `png` is not a well-formed PNG up to its first IDAT or holds compressed text.
    static bool readTexts(const QByteArray &png, QList<QPair<QString, QString>> *texts);
};

} // namespace forgesim
