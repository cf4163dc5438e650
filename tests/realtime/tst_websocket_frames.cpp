// The RFC 6455 layer on its own (server/realtime/WebSocketFrames, WebSocketHandshake): client frames parsed
// whole and in random splits give the same events; every protocol error closes with its code; server frames
// use the shortest length form; the opening handshake checks and the accept key.
#include "server/realtime/WebSocketFrames.h"
#include "server/realtime/WebSocketHandshake.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace nav::realtime::ws;
using Kind = FrameEvent::Kind;

namespace {

constexpr quint8 kFin = 0x80;

// A client frame: first byte as given (FIN, RSV bits, opcode), the payload masked with a random key unless
// masked is false. lengthForm forces a length encoding (0: shortest, 2: 16-bit, 8: 64-bit).
QByteArray clientFrame(quint8 first, const QByteArray &payload, bool masked = true, int lengthForm = 0) {
    QByteArray frame;
    frame.append(static_cast<char>(first));
    const quint64 size = static_cast<quint64>(payload.size());
    const int form = lengthForm ? lengthForm : size < 126 ? 1 : size <= 0xFFFF ? 2 : 8;
    const char maskBit = masked ? char(0x80) : char(0);
    if (form == 1) {
        frame.append(static_cast<char>(maskBit | static_cast<char>(size)));
    } else {
        frame.append(static_cast<char>(maskBit | (form == 2 ? 126 : 127)));
        for (int i = form - 1; i >= 0; --i)
            frame.append(static_cast<char>((size >> (8 * i)) & 0xFF));
    }
    if (!masked)
        return frame + payload;
    char mask[4];
    for (char &m : mask)
        m = static_cast<char>(QRandomGenerator::global()->bounded(256));
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(static_cast<char>(payload[i] ^ mask[i % 4]));
    return frame;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {}) {
    QByteArray p;
    p.append(static_cast<char>(code >> 8));
    p.append(static_cast<char>(code & 0xFF));
    return p + reason;
}

QList<FrameEvent> feedWhole(const QByteArray &input, qint64 max) {
    FrameParser parser(max);
    return parser.feed(input.constData(), input.size());
}

// Feeds the input in random pieces (1 byte up to a third of it) and checks that the events are those of
// the whole input; returns them.
QList<FrameEvent> feedSplit(const QByteArray &input, qint64 max) {
    const QList<FrameEvent> whole = feedWhole(input, max);
    for (int round = 0; round < 20; ++round) {
        FrameParser parser(max);
        QList<FrameEvent> events;
        qsizetype pos = 0;
        while (pos < input.size()) {
            const qsizetype span = qMax<qsizetype>(1, input.size() / 3);
            const qsizetype take =
                qMin<qsizetype>(input.size() - pos, 1 + QRandomGenerator::global()->bounded(span));
            events += parser.feed(input.constData() + pos, take);
            pos += take;
        }
        if (events.size() != whole.size())
            qFatal("split feed gave %lld events, whole feed %lld", qlonglong(events.size()),
                   qlonglong(whole.size()));
        for (qsizetype i = 0; i < events.size(); ++i)
            if (events[i].kind != whole[i].kind || events[i].payload != whole[i].payload ||
                events[i].closeCode != whole[i].closeCode)
                qFatal("split feed differs from whole feed at event %lld", qlonglong(i));
    }
    return whole;
}

} // namespace

Q_DECLARE_METATYPE(nav::realtime::ws::UpgradeRequest)

class TestWebSocketFrames : public QObject {
    Q_OBJECT
private slots:
    void messagesInEveryLengthForm_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("lengthForm");
        QTest::newRow("empty") << 0 << 0;
        QTest::newRow("7-bit 125") << 125 << 0;
        QTest::newRow("16-bit 126") << 126 << 0;
        QTest::newRow("16-bit 65535") << 65535 << 0;
        QTest::newRow("64-bit 65536") << 65536 << 0;
        QTest::newRow("64-bit 200000") << 200000 << 0;
        QTest::newRow("16-bit form for 5 bytes") << 5 << 2;
        QTest::newRow("64-bit form for 300 bytes") << 300 << 8;
    }
    void messagesInEveryLengthForm() {
        QFETCH(int, size);
        QFETCH(int, lengthForm);
        QByteArray text(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            text[i] = static_cast<char>('a' + i % 26);
        QByteArray binary = text;
        if (size > 0)
            binary[0] = '\xff';
        const QByteArray input = clientFrame(kFin | 0x1, text, true, lengthForm) +
                                 clientFrame(kFin | 0x2, binary, true, lengthForm);
        const auto events = feedSplit(input, 1'000'000);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events[0].kind, Kind::Text);
        QCOMPARE(events[0].payload, text);
        QCOMPARE(events[1].kind, Kind::Binary);
        QCOMPARE(events[1].payload, binary);
    }

    void fragmentedMessageWithControlFramesBetween() {
        const QByteArray input = clientFrame(0x1, "Hel") + clientFrame(kFin | 0x9, "are you there") +
                                 clientFrame(0x0, "lo, ") + clientFrame(kFin | 0xA, "") +
                                 clientFrame(kFin | 0x0, "w\xc3\xb6rld") + clientFrame(0x2, "\x01\x02") +
                                 clientFrame(kFin | 0x0, "\x03");
        const auto events = feedSplit(input, 1000);
        QCOMPARE(events.size(), 4);
        QCOMPARE(events[0].kind, Kind::Ping);
        QCOMPARE(events[0].payload, QByteArray("are you there"));
        QCOMPARE(events[1].kind, Kind::Pong);
        QCOMPARE(events[2].kind, Kind::Text);
        QCOMPARE(events[2].payload, QByteArray("Hello, w\xc3\xb6rld"));
        QCOMPARE(events[3].kind, Kind::Binary);
        QCOMPARE(events[3].payload, QByteArray("\x01\x02\x03"));
    }

    void aUtf8SequenceMaySpanFragments() {
        const QByteArray input = clientFrame(0x1, "\xe2\x82") + clientFrame(kFin | 0x0, "\xac");
        const auto events = feedSplit(input, 1000);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].payload, QByteArray("\xe2\x82\xac"));
    }

    void closeFrames() {
        auto events = feedSplit(
            clientFrame(kFin | 0x8, closePayload(1000, "bye")) + clientFrame(kFin | 0x1, "x"), 1000);
        QCOMPARE(events.size(), 1); // nothing after a close
        QCOMPARE(events[0].kind, Kind::Close);
        QCOMPARE(events[0].closeCode, quint16(1000));
        QCOMPARE(events[0].payload, QByteArray("bye"));
        events = feedSplit(clientFrame(kFin | 0x8, ""), 1000);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].closeCode, CloseCode::NoStatus);
        events = feedSplit(clientFrame(kFin | 0x8, closePayload(4999)), 1000);
        QCOMPARE(events[0].kind, Kind::Close);
        QCOMPARE(events[0].closeCode, quint16(4999));
    }

    void protocolErrors_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("code");
        const QByteArray hello = clientFrame(kFin | 0x1, "hello");
        QTest::newRow("unmasked") << clientFrame(kFin | 0x1, "hi", false) << 1002;
        QTest::newRow("RSV1 (no deflate negotiated)") << clientFrame(kFin | 0x40 | 0x1, "hi") << 1002;
        QTest::newRow("RSV2") << clientFrame(kFin | 0x20 | 0x2, "hi") << 1002;
        QTest::newRow("RSV3") << clientFrame(kFin | 0x10 | 0x9, "") << 1002;
        QTest::newRow("opcode 3") << clientFrame(kFin | 0x3, "hi") << 1002;
        QTest::newRow("opcode 0xB") << clientFrame(kFin | 0xB, "") << 1002;
        QTest::newRow("ping of 126 bytes") << clientFrame(kFin | 0x9, QByteArray(126, 'p')) << 1002;
        QTest::newRow("close of 126 bytes, 16-bit form")
            << clientFrame(kFin | 0x8, closePayload(1000, QByteArray(124, 'r'))) << 1002;
        QTest::newRow("fragmented ping") << clientFrame(0x9, "a") + clientFrame(kFin | 0x0, "b") << 1002;
        QTest::newRow("continuation without a message") << clientFrame(kFin | 0x0, "x") << 1002;
        QTest::newRow("text inside a fragmented message")
            << clientFrame(0x1, "a") + clientFrame(kFin | 0x1, "b") << 1002;
        QTest::newRow("close with one byte") << clientFrame(kFin | 0x8, "\x03") << 1002;
        QTest::newRow("close code 999") << clientFrame(kFin | 0x8, closePayload(999)) << 1002;
        QTest::newRow("close code 1005") << clientFrame(kFin | 0x8, closePayload(1005)) << 1002;
        QTest::newRow("close code 1006") << clientFrame(kFin | 0x8, closePayload(1006)) << 1002;
        QTest::newRow("close code 2000") << clientFrame(kFin | 0x8, closePayload(2000)) << 1002;
        QTest::newRow("close code 5000") << clientFrame(kFin | 0x8, closePayload(5000)) << 1002;
        QTest::newRow("close reason not UTF-8")
            << clientFrame(kFin | 0x8, closePayload(1000, "\xff")) << 1007;
        QTest::newRow("overlong NUL") << clientFrame(kFin | 0x1, "a\xc0\x80") << 1007;
        QTest::newRow("surrogate") << clientFrame(kFin | 0x1, "\xed\xa0\x80") << 1007;
        QTest::newRow("above U+10FFFF") << clientFrame(kFin | 0x1, "\xf4\x90\x80\x80") << 1007;
        QTest::newRow("truncated sequence") << clientFrame(kFin | 0x1, "\xe2\x82") << 1007;
        QTest::newRow("invalid UTF-8 across fragments")
            << clientFrame(0x1, "ok") + clientFrame(kFin | 0x0, "\x80") << 1007;
        QTest::newRow("message over the limit") << clientFrame(kFin | 0x2, QByteArray(101, 'x')) << 1009;
        QTest::newRow("fragments over the limit")
            << clientFrame(0x2, QByteArray(60, 'x')) + clientFrame(kFin | 0x0, QByteArray(41, 'x')) << 1009;
        QTest::newRow("64-bit length with the top bit set")
            << QByteArray("\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00"
                          "abcd",
                          14)
            << 1002;
        // The error ends parsing: a valid frame after it is never delivered.
        QTest::newRow("error then a valid frame") << clientFrame(kFin | 0x1, "x", false) + hello << 1002;
    }
    void protocolErrors() {
        QFETCH(QByteArray, input);
        QFETCH(int, code);
        const auto events = feedSplit(input, 100);
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last().kind, Kind::Error);
        QCOMPARE(int(events.last().closeCode), code);
        for (qsizetype i = 0; i + 1 < events.size(); ++i)
            QVERIFY(events[i].kind != Kind::Error);
        FrameParser parser(100);
        parser.feed(input.constData(), input.size());
        QVERIFY(parser.finished());
        QCOMPARE(parser.bufferedBytes(), 0);
    }

    void oversizeIsRefusedFromTheHeaderAlone() {
        // A 1 GB frame is refused before any of its payload arrives (nothing is buffered for it).
        FrameParser parser(1000);
        const QByteArray header("\x82\xff\x00\x00\x00\x00\x40\x00\x00\x00"
                                "abcd",
                                14);
        const auto events = parser.feed(header.constData(), header.size());
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].closeCode, CloseCode::MessageTooBig);
    }

    void idleParserHoldsNoBuffer() {
        FrameParser parser(100000);
        const QByteArray input = clientFrame(kFin | 0x2, QByteArray(5000, 'x'));
        parser.feed(input.constData(), 3000);
        QVERIFY(parser.bufferedBytes() > 0);
        QCOMPARE(parser.feed(input.constData() + 3000, input.size() - 3000).size(), 1);
        QCOMPARE(parser.bufferedBytes(), 0);
    }

    void serverFramesUseTheShortestLength_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<QByteArray>("header");
        QTest::newRow("0") << 0 << QByteArray("\x81\x00", 2);
        QTest::newRow("125") << 125 << QByteArray("\x81\x7d");
        QTest::newRow("126") << 126 << QByteArray("\x81\x7e\x00\x7e", 4);
        QTest::newRow("65535") << 65535 << QByteArray("\x81\x7e\xff\xff");
        QTest::newRow("65536") << 65536 << QByteArray("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
    }
    void serverFramesUseTheShortestLength() {
        QFETCH(int, size);
        QFETCH(QByteArray, header);
        const QByteArray frame = encodeFrame(Opcode::Text, QByteArray(size, 'z'));
        QCOMPARE(frame.left(header.size()), header);
        QCOMPARE(frame.size(), header.size() + size);
    }

    void closeFrameCarriesCodeAndAShortenedReason() {
        QCOMPARE(encodeClose(1008, "Too many sessions"), QByteArray("\x88\x13\x03\xf0Too many sessions"));
        // 2 + 123 bytes at most; a UTF-8 sequence is not cut in half.
        const QByteArray longReason = QByteArray(122, 'r') + "\xc3\xa9" + "tail";
        const QByteArray frame = encodeClose(1000, longReason);
        QCOMPARE(int(static_cast<unsigned char>(frame[1])), 2 + 122);
        QVERIFY(isValidUtf8(frame.mid(4)));
    }

    void utf8Validation() {
        QVERIFY(isValidUtf8(""));
        QVERIFY(isValidUtf8("plain ascii"));
        QVERIFY(isValidUtf8("\xc2\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf"));
        QVERIFY(!isValidUtf8("\x80"));
        QVERIFY(!isValidUtf8("\xc1\xbf"));         // overlong
        QVERIFY(!isValidUtf8("\xe0\x9f\xbf"));     // overlong
        QVERIFY(!isValidUtf8("\xf0\x8f\xbf\xbf")); // overlong
        QVERIFY(!isValidUtf8("\xed\xbf\xbf"));     // surrogate
        QVERIFY(!isValidUtf8("\xf8\x88\x80\x80\x80"));
        QVERIFY(!isValidUtf8("\xc3"));
        QVERIFY(!isValidUtf8("\xc3\x28"));
    }

    void acceptKeyOfTheRfcExample() {
        QCOMPARE(acceptKeyFor("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        QVERIFY(switchingProtocolsAnswer("dGhlIHNhbXBsZSBub25jZQ==")
                    .contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }

    void handshakeChecks_data() {
        QTest::addColumn<UpgradeRequest>("request");
        QTest::addColumn<int>("status");
        const UpgradeRequest good{true, true, "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "13"};
        QTest::newRow("good") << good << 101;
        UpgradeRequest r = good;
        r.connection = "keep-alive, Upgrade";
        r.upgrade = "WebSocket";
        QTest::newRow("token lists, any case") << r << 101;
        r = good, r.isGet = false;
        QTest::newRow("POST") << r << 400;
        r = good, r.http11 = false;
        QTest::newRow("HTTP/1.0") << r << 400;
        r = good, r.connection = "keep-alive";
        QTest::newRow("Connection without upgrade") << r << 400;
        r = good, r.key = "";
        QTest::newRow("no key") << r << 400;
        r = good, r.key = "dGhlIHNhbXBsZQ==";
        QTest::newRow("key of 11 bytes") << r << 400;
        r = good, r.key = "dGhlIHNhbXBsZSBub25jZQ!!";
        QTest::newRow("key not base64") << r << 400;
        r = good, r.version = "8";
        QTest::newRow("version 8") << r << 426;
        r = good, r.version = "";
        QTest::newRow("no version") << r << 426;
    }
    void handshakeChecks() {
        QFETCH(UpgradeRequest, request);
        QFETCH(int, status);
        const UpgradeVerdict verdict = checkUpgrade(request);
        QCOMPARE(verdict.status, status);
        if (status == 426)
            QVERIFY(verdict.offerVersion);
        if (status != 101)
            QVERIFY(!verdict.message.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestWebSocketFrames)
#include "tst_websocket_frames.moc"
