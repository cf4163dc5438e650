// Pure units behind the hostile-client limits (issue 12): request framing, TRUST_PROXY, Socket.IO attachment
// limits, generation-request string and image limits, and the image header probe.
#include "server/api/GenerationRequest.h"
#include "server/api/ImageProbe.h"
#include "server/api/UpscaleRequest.h"
#include "server/config/TrustProxy.h"
#include "server/http/RequestReader.h"
#include "shared/realtime/SocketIoDecoder.h"

#include <QBuffer>
#include <QImage>
#include <QtTest>

using namespace nav;

namespace {

// The verdict of every head in bytes, read by RequestReader (as a connection reads them) in reads of chunk.
QList<http::HeadVerdict> feedAll(const QByteArray &bytes, qsizetype chunk) {
    using Step = http::RequestReader::Step;
    http::RequestReader reader({1000, 4096});
    QList<http::HeadVerdict> verdicts;
    for (qsizetype pos = 0; pos < bytes.size(); pos += chunk) {
        const QByteArray part = bytes.mid(pos, chunk);
        reader.append(part.constData(), part.size());
        for (Step step = reader.next(); step != Step::NeedMore; step = reader.next()) {
            if (step == Step::Request) {
                reader.takeRequest();
                continue;
            }
            verdicts << reader.verdict();
            if (step == Step::Refused)
                return verdicts;
        }
    }
    return verdicts;
}

QByteArray encodedImage(const char *format, int width, int height) {
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::red);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

QJsonObject img2img(const QJsonObject &extra) {
    QJsonObject body{{"model_name", "m"},
                     {"prompt", "p"},
                     {"init_image", QString::fromLatin1(encodedImage("PNG", 8, 8).toBase64())}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

std::optional<api::RequestError> errorOf(const QJsonObject &body, const QString &task = "txt2img",
                                         api::RequestLimits limits = {}) {
    auto result = api::parseGenerationRequest(body, task, limits);
    if (auto *error = std::get_if<api::RequestError>(&result))
        return *error;
    return std::nullopt;
}

} // namespace

class HostileInputTest : public QObject {
    Q_OBJECT
private slots:
    void framingIsTheSameInAnyChunking() {
        const QByteArray stream = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "\r\n" // a stray empty line between requests is fine
                                  "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                                  "POST /b HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello";
        for (qsizetype chunk : {1, 2, 3, 7, 64, 4096}) {
            const auto verdicts = feedAll(stream, chunk);
            QCOMPARE(verdicts.size(), 3);
            QVERIFY(verdicts[0].accepted());
            QVERIFY(verdicts[1].accepted());
            QCOMPARE(verdicts[1].contentLength, 5);
            QCOMPARE(verdicts[2].status, 400);
        }
    }

    void framingRefusals_data() {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::newRow("two lengths")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") << 400;
        QTest::newRow("te and length")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n")
            << 400;
        QTest::newRow("te alone") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                  << 411;
        QTest::newRow("hex length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n") << 400;
        QTest::newRow("negative length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << 400;
        QTest::newRow("huge length") << QByteArray(
                                            "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n")
                                     << 400;
        QTest::newRow("over limit") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n") << 413;
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n") << 400;
        QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nA: b\r\n\r\n") << 400;
        QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\rA: b\r\n\r\n") << 400;
        QTest::newRow("NUL in value") << QByteArray("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 27) << 400;
        QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nNoColon\r\n\r\n") << 400;
        QTest::newRow("HTTP/2 line") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 400;
        QTest::newRow("too large") << QByteArray("GET / HTTP/1.1\r\nA: " + QByteArray(5000, 'a') + "\r\n\r\n")
                                   << 431;
    }
    void framingRefusals() {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        const auto verdicts = feedAll(head, 4096);
        QCOMPARE(verdicts.size(), 1);
        QCOMPARE(verdicts[0].status, status);
        QVERIFY(!http::errorCodeFor(status).isEmpty());
    }

    void trustProxyLikeExpress_data() {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QString>("client");
        const QString xff =
            "203.0.113.7, 10.0.0.2"; // the client wrote the first, the proxy appended 10.0.0.2
        QTest::newRow("off") << "false"
                             << "127.0.0.1"
                             << "127.0.0.1";
        QTest::newRow("true is one hop") << "true"
                                         << "127.0.0.1"
                                         << "10.0.0.2";
        QTest::newRow("two hops") << "2"
                                  << "127.0.0.1"
                                  << "203.0.113.7";
        QTest::newRow("many hops stop at the leftmost") << "9"
                                                        << "127.0.0.1"
                                                        << "203.0.113.7";
        QTest::newRow("listed peer") << "127.0.0.1"
                                     << "127.0.0.1"
                                     << "10.0.0.2";
        QTest::newRow("unlisted peer") << "192.0.2.1"
                                       << "127.0.0.1"
                                       << "127.0.0.1";
        QTest::newRow("cidr chain") << "loopback, 10.0.0.0/8"
                                    << "127.0.0.1"
                                    << "203.0.113.7";
        QTest::newRow("mapped peer") << "127.0.0.1"
                                     << "::ffff:127.0.0.1"
                                     << "10.0.0.2";
        Q_UNUSED(xff);
    }
    void trustProxyLikeExpress() {
        QFETCH(QString, setting);
        QFETCH(QString, peer);
        QFETCH(QString, client);
        QString error;
        const auto trust = config::TrustProxy::parse(setting, &error);
        QVERIFY2(trust, qPrintable(error));
        QCOMPARE(trust->clientAddress(QHostAddress(peer), "203.0.113.7, 10.0.0.2", "198.51.100.9"), client);
    }
    void cfConnectingIpOnlyWhenConfigured() {
        QString error;
        auto trust = *config::TrustProxy::parse("1", &error);
        QCOMPARE(trust.clientAddress(QHostAddress("127.0.0.1"), "10.0.0.2", "198.51.100.9"),
                 QString("10.0.0.2"));
        trust.readCfConnectingIp = true;
        QCOMPARE(trust.clientAddress(QHostAddress("127.0.0.1"), "10.0.0.2", "198.51.100.9"),
                 QString("198.51.100.9"));
        // ... and never from a peer that is not a trusted proxy.
        auto listed = *config::TrustProxy::parse("192.0.2.1", &error);
        listed.readCfConnectingIp = true;
        QCOMPARE(listed.clientAddress(QHostAddress("127.0.0.1"), "10.0.0.2", "198.51.100.9"),
                 QString("127.0.0.1"));
    }
    void trustProxyRefusesNonsense() {
        QString error;
        QVERIFY(!config::TrustProxy::parse("sometimes", &error));
        QVERIFY(error.contains("sometimes"));
        QVERIFY(!config::TrustProxy::parse("-1", &error));
    }

    void attachmentsAreLimited() {
        using realtime::SocketIoDecoder;
        SocketIoDecoder decoder(SocketIoDecoder::Limits{10, 1000});
        // Defect 3: 1,000 announced attachments were accepted and buffered.
        QCOMPARE(decoder.addText(R"(51000-["e",{"_placeholder":true,"num":0}])"),
                 SocketIoDecoder::Result::Error);
        decoder.reset();
        QCOMPARE(decoder.addText(R"(511-["e",{"_placeholder":true,"num":0}])"),
                 SocketIoDecoder::Result::Error);
        decoder.reset();
        QCOMPARE(decoder.addText(R"(52-["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"),
                 SocketIoDecoder::Result::NeedMore);
        QCOMPARE(decoder.addBinary(QByteArray(600, 'a')), SocketIoDecoder::Result::NeedMore);
        // Together the attachments count against the payload limit.
        QCOMPARE(decoder.addBinary(QByteArray(600, 'b')), SocketIoDecoder::Result::Error);
        decoder.reset();
        QCOMPARE(decoder.addText(R"(510-["e"])"), SocketIoDecoder::Result::NeedMore);
        for (int i = 0; i < 9; ++i)
            QCOMPARE(decoder.addBinary("x"), SocketIoDecoder::Result::NeedMore);
        QCOMPARE(decoder.addBinary("x"), SocketIoDecoder::Result::Packet);
    }

    void stringsHaveMaximumLengths_data() {
        QTest::addColumn<QString>("field");
        for (const char *field : {"model_name", "sampler_name", "scheduler_name", "upscaler_name"})
            QTest::newRow(field) << field;
    }
    void stringsHaveMaximumLengths() {
        QFETCH(QString, field);
        QJsonObject body{{"model_name", "m"}, {"prompt", "p"}};
        body.insert(field, QString(30000, 'a'));
        const auto error = errorOf(body);
        QVERIFY2(error, "a 30,000-character name was accepted");
        QCOMPARE(error->status, 400);
        QVERIFY2(error->message.contains(field), qPrintable(error->message));
        body.insert(field, QString(api::kMaxNameLength, 'a'));
        QVERIFY(!errorOf(body));
    }
    void upscalerNameOverrideIsLimited() {
        const QJsonObject info{
            {"parameters", QJsonObject{{"Size-1", "512"}, {"Size-2", "512"}, {"Model", "m"}}},
            {"info", "p\nSteps: 20, Model: m"}};
        auto result = api::buildUpscaleParams(info, {{"upscaler_name", QString(30000, 'a')}}, "job", 1 << 24);
        QVERIFY(std::holds_alternative<api::RequestError>(result));
        QVERIFY(std::get<api::RequestError>(result).message.contains("upscaler_name"));
    }
    void missingParametersAreNamed() {
        QCOMPARE(errorOf({{"prompt", "p"}})->message, QString("Missing required parameters: model_name"));
        QCOMPARE(errorOf({{"model_name", "m"}}, "img2img")->message,
                 QString("Missing required parameters: prompt, init_image"));
    }

    void uploadedImagesMustBeImages_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("error"); // empty: accepted
        const auto b64 = [](const QByteArray &bytes) { return QString::fromLatin1(bytes.toBase64()); };
        QTest::newRow("png") << "init_image" << b64(encodedImage("PNG", 16, 8)) << "";
        QTest::newRow("jpeg") << "init_image" << b64(encodedImage("JPEG", 16, 8)) << "";
        QTest::newRow("data url") << "init_image"
                                  << "data:image/png;base64," + b64(encodedImage("PNG", 4, 4)) << "";
        QTest::newRow("not an image") << "init_image" << b64("hello, this is text") << "init_image must be";
        QTest::newRow("not base64") << "init_image"
                                    << "%%%%"
                                    << "init_image must be";
        QTest::newRow("truncated png")
            << "init_image" << b64(encodedImage("PNG", 4, 4).left(20)) << "init_image must be";
        QTest::newRow("mask text") << "mask" << b64("AAAA") << "mask must be";
        QTest::newRow("mask png") << "mask" << b64(encodedImage("PNG", 8, 8)) << "";
        QTest::newRow("too many pixels")
            << "init_image" << b64(encodedImage("PNG", 300, 300)) << "INPUT_IMAGE_PIXEL_LIMIT";
    }
    void uploadedImagesMustBeImages() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, error);
        const auto result = errorOf(img2img({{field, value}}), "img2img", {3'686'400, 250 * 250});
        if (error.isEmpty()) {
            QVERIFY2(!result, result ? qPrintable(result->message) : "");
        } else {
            QVERIFY2(result, "accepted");
            QVERIFY2(result->message.contains(error), qPrintable(result->message));
        }
    }

    void probeReadsHeaders() {
        for (const char *format : {"PNG", "JPEG", "WEBP"}) {
            const QByteArray bytes = encodedImage(format, 123, 45);
            if (bytes.isEmpty())
                continue; // no writer for this format in this Qt build
            const auto info = api::probeImage(bytes);
            QVERIFY2(info, format);
            QCOMPARE(info->width, 123);
            QCOMPARE(info->height, 45);
        }
        QVERIFY(!api::probeImage("GIF89a......"));
        QVERIFY(!api::probeImage(QByteArray("\xFF\xD8\xFF\xD9", 4)));
    }
};

QTEST_GUILESS_MAIN(HostileInputTest)
#include "tst_hostileinput.moc"
