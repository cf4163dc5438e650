#include "PngWriter.h"

#include <QCryptographicHash>
#include <QLinearGradient>
#include <QPainter>
#include <QtEndian>

#include <zlib.h>

namespace forgesim {

namespace {

quint32 crc32(const QByteArray &data) {
    static quint32 table[256];
    static bool init = false;
    if (!init) {
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        init = true;
    }
    quint32 c = 0xffffffffu;
    for (char ch : data)
        c = table[(c ^ quint8(ch)) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

QByteArray chunk(const QByteArray &type, const QByteArray &data) {
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(quint32(data.size()), out.data());
    const QByteArray body = type + data;
    out += body;
    QByteArray crc(4, '\0');
    qToBigEndian<quint32>(crc32(body), crc.data());
    return out + crc;
}

// A zlib stream at level 2, set up once per thread and reset for each image: setting one up allocates and
// clears about 270 KiB, which cost more than compressing a small image (qCompress does it on every call).
QByteArray deflated(const QByteArray &raw) {
    struct Stream {
        z_stream z{};
        Stream() { deflateInit(&z, 2); }
        ~Stream() { deflateEnd(&z); }
    };
    thread_local Stream stream;
    z_stream &z = stream.z;
    deflateReset(&z);
    QByteArray out(qsizetype(deflateBound(&z, uLong(raw.size()))), Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.constData()));
    z.avail_in = uInt(raw.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH); // the bound holds the whole stream, so one call finishes it
    out.truncate(qsizetype(z.total_out));
    return out;
}

bool isLatin1(const QString &s) {
    for (QChar c : s)
        if (c.unicode() > 0xff)
            return false;
    return true;
}

} // namespace

QImage PngWriter::render(int width, int height, const QString &prompt, quint64 seed, double progress) {
    const QByteArray h = QCryptographicHash::hash(prompt.toUtf8() + '|' + QByteArray::number(seed),
                                                  QCryptographicHash::Sha256);
    auto byte = [&](int i) { return quint8(h.at(i % h.size())); };
    QImage img(qMax(1, width), qMax(1, height), QImage::Format_RGB32);
    QPainter p(&img);
    QLinearGradient g(0, 0, img.width(), img.height());
    g.setColorAt(0, QColor(byte(0), byte(1), byte(2)));
    g.setColorAt(1, QColor(byte(3), byte(4), byte(5)));
    p.fillRect(img.rect(), g);
    p.setPen(Qt::NoPen);
    for (int i = 0; i < 6; ++i) {
        const int b = 6 + i * 4;
        p.setBrush(QColor(byte(b), byte(b + 1), byte(b + 2), 180));
        const int x = byte(b + 3) * img.width() / 256, y = byte(b + 1) * img.height() / 256;
        const int r = qMax(1, (byte(b + 2) % 64 + 16) * qMin(img.width(), img.height()) / 256);
        if (i % 2)
            p.drawEllipse(QPoint(x, y), r, r);
        else
            p.drawRect(x - r, y - r, 2 * r, r);
    }
    if (progress < 1.0)
        p.fillRect(img.rect(), QColor(64, 64, 64, int(200 * (1.0 - qBound(0.0, progress, 1.0)))));
    return img;
}

QByteArray PngWriter::encode(const QImage &image, const QString &parameters) {
    // 8-bit RGB, every row with the Paeth filter, deflated at zlib level 2: a fraction of the CPU of libpng's
    // adaptive filtering (which tries all five filters on every row), and the gradients still compress well.
    const QImage rgb =
        image.format() == QImage::Format_RGB32 ? image : image.convertToFormat(QImage::Format_RGB32);
    const int width = rgb.width(), height = rgb.height();
    const qsizetype stride = 3 * qsizetype(width);
    QByteArray raw(qsizetype(height) * (1 + stride), Qt::Uninitialized);
    QByteArray previous(stride, '\0'), current(stride, Qt::Uninitialized);
    char *out = raw.data();
    for (int y = 0; y < height; ++y) {
        const QRgb *row = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        auto *cur = reinterpret_cast<quint8 *>(current.data());
        for (int x = 0; x < width; ++x) {
            cur[3 * x] = quint8(qRed(row[x]));
            cur[3 * x + 1] = quint8(qGreen(row[x]));
            cur[3 * x + 2] = quint8(qBlue(row[x]));
        }
        const auto *up = reinterpret_cast<const quint8 *>(previous.constData());
        *out++ =
            4; // Paeth: each byte minus the neighbour (left, up or up-left) nearest to left + up - up-left
        for (qsizetype i = 0; i < stride; ++i) {
            const int a = i >= 3 ? cur[i - 3] : 0, b = up[i], c = i >= 3 ? up[i - 3] : 0;
            const int p = a + b - c, pa = qAbs(p - a), pb = qAbs(p - b), pc = qAbs(p - c);
            const int predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            *out++ = char(quint8(cur[i] - predictor));
        }
        std::swap(previous, current);
    }
    QByteArray header(13, '\0');
    qToBigEndian<quint32>(quint32(width), header.data());
    qToBigEndian<quint32>(quint32(height), header.data() + 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: RGB
    QByteArray text;
    QByteArray type;
    if (isLatin1(parameters)) {
        type = "tEXt";
        text = "parameters" + QByteArray(1, '\0') + parameters.toLatin1();
    } else {
        type = "iTXt";
        text = "parameters" + QByteArray(5, '\0') +
               parameters.toUtf8(); // no compression, empty language/keyword
    }
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) + chunk(type, text) +
           chunk("IDAT", deflated(raw)) + chunk("IEND", {});
}

bool PngWriter::readTexts(const QByteArray &png, QList<QPair<QString, QString>> *texts) {
    static const QByteArray signature("\x89PNG\r\n\x1a\n", 8);
    if (!png.startsWith(signature))
        return false;
    qsizetype pos = signature.size();
    bool header = false;
    while (pos + 12 <= png.size()) {
        const quint32 length = qFromBigEndian<quint32>(png.constData() + pos);
        const QByteArray type = png.mid(pos + 4, 4);
        if (header && (type == "IDAT" || type == "IEND"))
            return true; // the pixels are not read
        if (length > quint32(png.size() - pos - 12))
            return false;
        const QByteArray data = png.mid(pos + 8, length);
        if (qFromBigEndian<quint32>(png.constData() + pos + 8 + length) != crc32(type + data))
            return false;
        pos += 12 + length;
        if (!header) {
            if (type != "IHDR" || length != 13)
                return false;
            header = true;
        } else if (type == "tEXt") {
            const qsizetype nul = data.indexOf('\0');
            if (nul > 0)
                texts->append({QString::fromLatin1(data.left(nul)), QString::fromLatin1(data.mid(nul + 1))});
        } else if (type == "iTXt") {
            // keyword \0 compression flag, method, language \0 translated keyword \0 text
            const qsizetype nul = data.indexOf('\0');
            if (nul <= 0 || nul + 2 >= data.size())
                continue;
            if (data.at(nul + 1) != 0)
                return false; // compressed: left to Qt
            const qsizetype language = data.indexOf('\0', nul + 3);
            const qsizetype translated = language < 0 ? -1 : data.indexOf('\0', language + 1);
            if (translated >= 0)
                texts->append(
                    {QString::fromLatin1(data.left(nul)), QString::fromUtf8(data.mid(translated + 1))});
        } else if (type == "zTXt") {
            return false; // compressed: left to Qt
        }
    }
    return false;
}

} // namespace forgesim
