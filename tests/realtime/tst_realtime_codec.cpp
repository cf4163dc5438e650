// Unit tests of the Engine.IO / Socket.IO packet codec in shared/realtime (pure code, no I/O).
#include "shared/realtime/EnginePacket.h"
#include "shared/realtime/SocketIoBinary.h"
#include "shared/realtime/SocketIoDecoder.h"
#include "shared/realtime/SocketIoPacket.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace nav::realtime;
using T = SocketIoPacket::Type;

class TestRealtimeCodec : public QObject {
    Q_OBJECT
private slots:
    void engineTextRoundTrip() {
        const auto packet = EngineCodec::decodeText("4hello");
        QVERIFY(packet);
        QCOMPARE(packet->type, EnginePacket::Type::Message);
        QCOMPARE(packet->data, QByteArray("hello"));
        QCOMPARE(EngineCodec::encodeText(*packet), QByteArray("4hello"));
        QCOMPARE(EngineCodec::decodeText("2probe")->type, EnginePacket::Type::Ping);
        QCOMPARE(EngineCodec::decodeText("6")->type, EnginePacket::Type::Noop);
    }
    void engineRejectsBadText() {
        QVERIFY(!EngineCodec::decodeText(""));
        QVERIFY(!EngineCodec::decodeText("abc"));
        QVERIFY(!EngineCodec::decodeText("7x"));
    }
    void payloadJoinAndSplit() {
        const QList<EnginePacket> packets{EnginePacket::text("hello"),
                                          EnginePacket::bytes("\x01\x02\x03\x04"),
                                          EnginePacket::make(EnginePacket::Type::Ping)};
        const QByteArray body = EngineCodec::encodePayload(packets);
        QCOMPARE(body, QByteArray("4hello\x1e"
                                  "bAQIDBA==\x1e"
                                  "2"));
        const auto decoded = EngineCodec::decodePayload(body);
        QVERIFY(decoded);
        QCOMPARE(*decoded, packets);
    }
    void payloadRejectsMalformed() {
        QVERIFY(!EngineCodec::decodePayload("abc"));
        QVERIFY(!EngineCodec::decodePayload("4a\x1e"));       // empty trailing packet
        QVERIFY(!EngineCodec::decodePayload("b!!notbase64")); // bad base64
        QVERIFY(!EngineCodec::decodePayload(""));
        QVERIFY(!EngineCodec::decodePayload("4a\x1e"
                                            "4b\x1e"
                                            "4c",
                                            2)); // over the packet limit
    }
    void socketIoEncode() {
        QCOMPARE(SocketIoCodec::encode({T::Connect, "/", -1, QJsonValue::Undefined, {}}), QByteArray("0"));
        QCOMPARE(SocketIoCodec::encode({T::Connect, "/", -1, QJsonObject{{"sid", "abc"}}, {}}),
                 QByteArray(R"(0{"sid":"abc"})"));
        QCOMPARE(SocketIoCodec::encode({T::Event, "/admin", 12, QJsonArray{"hi", 1}, {}}),
                 QByteArray(R"(2/admin,12["hi",1])"));
        QCOMPARE(SocketIoCodec::encode({T::ConnectError, "/x", -1, QJsonObject{{"message", "no"}}, {}}),
                 QByteArray(R"(4/x,{"message":"no"})"));
        const QJsonArray withPlaceholder{"file", QJsonObject{{"_placeholder", true}, {"num", 0}}};
        QCOMPARE(SocketIoCodec::encode({T::Event, "/", -1, withPlaceholder, {"\x01"}}),
                 QByteArray(R"(51-["file",{"_placeholder":true,"num":0}])"));
        QCOMPARE(
            SocketIoCodec::encode(
                {T::Ack, "/", 789, QJsonArray{QJsonObject{{"_placeholder", true}, {"num", 0}}}, {"\x01"}}),
            QByteArray(R"(61-789[{"_placeholder":true,"num":0}])"));
    }
    void socketIoDecode() {
        auto h = SocketIoCodec::decode(R"(2/admin,12["hi",{"a":1}])");
        QVERIFY(h);
        QCOMPARE(h->packet.type, T::Event);
        QCOMPARE(h->packet.nsp, QString("/admin"));
        QCOMPARE(h->packet.id, 12);
        QCOMPARE(h->packet.data.toArray().at(0).toString(), QString("hi"));
        h = SocketIoCodec::decode("0/random"); // a namespace without trailing comma
        QVERIFY(h);
        QCOMPARE(h->packet.nsp, QString("/random"));
        h = SocketIoCodec::decode(R"(0{"token":"123"})");
        QVERIFY(h);
        QCOMPARE(h->packet.data.toObject().value("token").toString(), QString("123"));
        h = SocketIoCodec::decode(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
        QVERIFY(h);
        QCOMPARE(h->expectedAttachments, 2);
        QCOMPARE(SocketIoCodec::decode("1/custom,")->packet.type, T::Disconnect);
    }
    void socketIoRejects_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray("");
        QTest::newRow("bad type") << QByteArray("9");
        QTest::newRow("4abc") << QByteArray("4abc");
        QTest::newRow("event object") << QByteArray("2{}");
        QTest::newRow("event not json") << QByteArray("2abc[\"x\"]");
        QTest::newRow("empty event") << QByteArray("2[]");
        QTest::newRow("reserved name") << QByteArray(R"(2["connect"])");
        QTest::newRow("connect array") << QByteArray("0[1]");
        QTest::newRow("disconnect payload") << QByteArray("1{}");
        QTest::newRow("binary without count") << QByteArray(R"(5["a"])");
        QTest::newRow("binary huge count") << QByteArray(R"(599999-["a"])");
        QTest::newRow("id too long") << QByteArray(R"(21234567890123456["a"])");
        QTest::newRow("event without payload") << QByteArray("2");
        QTest::newRow("trailing garbage") << QByteArray(R"(2["a"]x)");
    }
    void socketIoRejects() {
        QFETCH(QByteArray, text);
        QString error;
        QVERIFY(!SocketIoCodec::decode(text, &error));
        QVERIFY(!error.isEmpty());
    }
    void roundTrip() {
        const SocketIoPacket packet{
            T::Event, "/custom", 5, QJsonArray{"message", "x", 1.5, true, QJsonValue()}, {}};
        const auto h = SocketIoCodec::decode(SocketIoCodec::encode(packet));
        QVERIFY(h);
        QCOMPARE(h->packet.nsp, packet.nsp);
        QCOMPARE(h->packet.id, packet.id);
        QCOMPARE(h->packet.data, packet.data);
    }
    void decoderReassemblesAttachments() {
        SocketIoDecoder decoder;
        QCOMPARE(decoder.addText(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"),
                 SocketIoDecoder::Result::NeedMore);
        QCOMPARE(decoder.addBinary("\x01"), SocketIoDecoder::Result::NeedMore);
        QCOMPARE(decoder.addBinary("\x02"), SocketIoDecoder::Result::Packet);
        const SocketIoPacket packet = decoder.take();
        QCOMPARE(packet.type, T::BinaryEvent);
        QCOMPARE(packet.attachments, (QList<QByteArray>{"\x01", "\x02"}));
        QCOMPARE(decoder.addText(R"(2["b"])"), SocketIoDecoder::Result::Packet);
        QCOMPARE(decoder.take().data.toArray().at(0).toString(), QString("b"));
    }
    void binaryDeconstructAndReconstruct() {
        const QVariantList args{QString("file"), QByteArray("\x01\x02"),
                                QVariantMap{{"thumb", QByteArray("\x03")}, {"n", 2}}};
        QList<QByteArray> attachments;
        const QJsonValue json = SocketIoBinary::deconstruct(args, attachments);
        QCOMPARE(attachments, (QList<QByteArray>{"\x01\x02", "\x03"}));
        QCOMPARE(
            SocketIoCodec::encode({T::Event, "/", -1, json, attachments}),
            QByteArray(
                R"(52-["file",{"_placeholder":true,"num":0},{"n":2,"thumb":{"_placeholder":true,"num":1}}])"));
        const auto back = SocketIoBinary::reconstruct(json, attachments);
        QVERIFY(back);
        const QVariantList list = back->toList();
        QCOMPARE(list.at(1).toByteArray(), QByteArray("\x01\x02"));
        QCOMPARE(list.at(2).toMap().value("thumb").toByteArray(), QByteArray("\x03"));
        QCOMPARE(list.at(2).toMap().value("n").toInt(), 2);
        // A placeholder without its attachment is malformed.
        QVERIFY(!SocketIoBinary::reconstruct(json, {"\x01\x02"}));
    }
    void decoderRejectsOutOfOrder() {
        SocketIoDecoder decoder;
        QCOMPARE(decoder.addBinary("x"), SocketIoDecoder::Result::Error);
        decoder.reset();
        QCOMPARE(decoder.addText(R"(51-["a",{"_placeholder":true,"num":0}])"),
                 SocketIoDecoder::Result::NeedMore);
        QCOMPARE(decoder.addText(R"(2["b"])"), SocketIoDecoder::Result::Error);
    }
};

QTEST_APPLESS_MAIN(TestRealtimeCodec)
#include "tst_realtime_codec.moc"
