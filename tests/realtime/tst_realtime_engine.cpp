// Engine.IO / Socket.IO behaviour over raw HTTP long-polling against rt-testserver: the handshake, error
// codes, CORS, limits (payload size, sessions, buffered packets), duplicate polls, connect timeout and
// malformed packets. (socket.io-client itself is exercised by tests/compat/realtime.test.mjs.)
#include "tests/support/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>

using namespace nav::test;

namespace {

struct Server {
    ChildProcess process;
    quint16 port = 0;
    quint16 control = 0;

    bool start(const QStringList &extra = {}) {
        if (!process.start(binPath("rt-testserver"),
                           QStringList{"--port", "0", "--control-port", "0"} + extra))
            return false;
        const QRegularExpression ready("READY (\\d+) (\\d+)");
        for (int i = 0; i < 300; ++i) {
            const auto match = ready.match(QString::fromUtf8(process.output()));
            if (match.hasMatch()) {
                port = match.captured(1).toUShort();
                control = match.captured(2).toUShort();
                return true;
            }
            QTest::qWait(50);
        }
        return false;
    }
    QUrl url(const QString &query) const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/socket.io/?%2").arg(port).arg(query));
    }
    HttpReply emitAll(const QString &event, int times = 1) const {
        HttpReply last;
        for (int i = 0; i < times; ++i)
            last = httpJson("POST", QUrl(QStringLiteral("http://127.0.0.1:%1/emit").arg(control)),
                            QJsonObject{{"to", "all"}, {"event", event}, {"payload", QJsonObject{{"i", i}}}});
        return last;
    }
    int clients() const {
        return http("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/clients").arg(control)))
            .json()["clients"]
            .toInt();
    }
};

// Opens a polling session; returns its sid (empty on failure).
QString handshake(const Server &server) {
    const HttpReply reply = http("GET", server.url("EIO=4&transport=polling"));
    if (reply.status != 200 || !reply.body.startsWith('0'))
        return {};
    return QJsonDocument::fromJson(reply.body.mid(1)).object()["sid"].toString();
}

HttpReply poll(const Server &server, const QString &sid) {
    return http("GET", server.url("EIO=4&transport=polling&sid=" + sid));
}

HttpReply push(const Server &server, const QString &sid, const QByteArray &body,
               const QHash<QByteArray, QByteArray> &headers = {}) {
    return http("POST", server.url("EIO=4&transport=polling&sid=" + sid), body, headers);
}

} // namespace

class TestRealtimeEngine : public QObject {
    Q_OBJECT
private slots:
    void handshakeCarriesSettingsAndCors() {
        Server server;
        QVERIFY(server.start());
        const HttpReply reply = http("GET", server.url("EIO=4&transport=polling&t=abc"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("content-type"), QByteArray("text/plain; charset=UTF-8"));
        QCOMPARE(reply.header("access-control-allow-origin"), QByteArray("*"));
        QVERIFY(reply.body.startsWith('0'));
        const QJsonObject open = QJsonDocument::fromJson(reply.body.mid(1)).object();
        QCOMPARE(open.keys(), (QStringList{"maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"}));
        QCOMPARE(open["upgrades"].toArray(), QJsonArray{"websocket"});
        QCOMPARE(open["pingInterval"].toInt(), 25000); // the Node defaults
        QCOMPARE(open["pingTimeout"].toInt(), 20000);
        QCOMPARE(open["maxPayload"].toInt(), 1000000);
        QVERIFY(open["sid"].toString().size() >= 16);
    }

    void refusesBadRequests_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::newRow("no transport") << QByteArray("GET") << "EIO=4" << 400 << 0;
        QTest::newRow("unknown transport") << QByteArray("GET") << "EIO=4&transport=abc" << 400 << 0;
        QTest::newRow("no EIO") << QByteArray("GET") << "transport=polling" << 400 << 5;
        QTest::newRow("EIO=3") << QByteArray("GET") << "EIO=3&transport=polling" << 400 << 5;
        QTest::newRow("POST handshake") << QByteArray("POST") << "EIO=4&transport=polling" << 400 << 2;
        QTest::newRow("PUT handshake") << QByteArray("PUT") << "EIO=4&transport=polling" << 400 << 2;
        QTest::newRow("unknown sid") << QByteArray("GET") << "EIO=4&transport=polling&sid=nope" << 400 << 1;
        QTest::newRow("websocket without upgrade")
            << QByteArray("GET") << "EIO=4&transport=websocket" << 400 << 3;
    }
    void refusesBadRequests() {
        QFETCH(QByteArray, method);
        QFETCH(QString, query);
        QFETCH(int, status);
        QFETCH(int, code);
        static Server server;
        if (!server.port)
            QVERIFY(server.start());
        const HttpReply reply = http(method, server.url(query));
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json()["code"].toInt(-1), code);
        QVERIFY(!reply.json()["message"].toString().isEmpty());
        QCOMPARE(reply.header("access-control-allow-origin"), QByteArray("*"));
    }

    void preflightIsAnswered() {
        Server server;
        QVERIFY(server.start());
        const HttpReply reply = http("OPTIONS", server.url("EIO=4&transport=polling"), {},
                                     {{"Access-Control-Request-Headers", "content-type"}});
        QCOMPARE(reply.status, 204);
        QCOMPARE(reply.header("access-control-allow-origin"), QByteArray("*"));
        QVERIFY(reply.header("access-control-allow-methods").contains("POST"));
    }

    void connectsAndReceivesEventsOverPolling() {
        Server server;
        QVERIFY(server.start());
        const QString sid = handshake(server);
        QVERIFY(!sid.isEmpty());
        const HttpReply pushed = push(server, sid, "40");
        QCOMPARE(pushed.status, 200);
        QCOMPARE(pushed.body, QByteArray("ok"));
        QCOMPARE(pushed.header("access-control-allow-origin"), QByteArray("*"));
        const HttpReply connected = poll(server, sid);
        QCOMPARE(connected.status, 200);
        const QList<QByteArray> packets = connected.body.split('\x1e');
        QCOMPARE(packets.size(), 2);
        QVERIFY(packets[0].startsWith("40{\"sid\":\""));
        QVERIFY(packets[1].startsWith("42[\"connected\",{\"message\":"));
        QCOMPARE(server.clients(), 1);
        QCOMPARE(server.emitAll("models-refreshed", 2).status, 200);
        QCOMPARE(poll(server, sid).body, QByteArray("42[\"models-refreshed\",{\"i\":0}]"
                                                    "\x1e"
                                                    "42[\"models-refreshed\",{\"i\":1}]"));
        // A client close packet ends the session.
        QCOMPARE(push(server, sid, "1").status, 200);
        QCOMPARE(poll(server, sid).json()["code"].toInt(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.clients(), 0, 10000);
    }

    void refusesUnknownNamespace() {
        Server server;
        QVERIFY(server.start());
        const QString sid = handshake(server);
        QCOMPARE(push(server, sid, "40/random,").status, 200);
        QCOMPARE(poll(server, sid).body, QByteArray("44/random,{\"message\":\"Invalid namespace\"}"));
    }

    void closesOnMalformedPackets_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("engine.io garbage") << QByteArray("abc");
        QTest::newRow("event object") << QByteArray("42{}");
        QTest::newRow("event not json") << QByteArray("42abc[\"x\"]");
        QTest::newRow("bad socket.io type") << QByteArray("4abc");
    }
    void closesOnMalformedPackets() {
        QFETCH(QByteArray, body);
        static Server server;
        if (!server.port)
            QVERIFY(server.start());
        const QString sid = handshake(server);
        QVERIFY(push(server, sid, "40").status == 200);
        QCOMPARE(poll(server, sid).status, 200);
        push(server, sid, body); // 400 for an Engine.IO error, "ok" when only the Socket.IO layer objects
        QTRY_COMPARE_WITH_TIMEOUT(poll(server, sid).json()["code"].toInt(-1), 1, 10000);
    }

    void refusesOversizedAndBinaryPosts() {
        Server server;
        QVERIFY(server.start({"--max-payload", "1000"}));
        const QString sid = handshake(server);
        QCOMPARE(push(server, sid, "4" + QByteArray(2000, 'x')).status, 413);
        const QString sid2 = handshake(server);
        QCOMPARE(push(server, sid2, "4abc", {{"Content-Type", "application/octet-stream"}}).status, 400);
    }

    void duplicatePollClosesTheSession() {
        Server server;
        QVERIFY(server.start());
        const QString sid = handshake(server);
        QNetworkAccessManager nam;
        QNetworkReply *first = nam.get(QNetworkRequest(server.url("EIO=4&transport=polling&sid=" + sid)));
        QTest::qWait(200); // let the first poll reach the server and be held (a second connection races it)
        const HttpReply second = poll(server, sid);
        QCOMPARE(second.status, 400);
        QTRY_VERIFY_WITH_TIMEOUT(first->isFinished(), 10000);
        QCOMPARE(first->readAll(), QByteArray("1")); // the held poll learns that the session closed
        QCOMPARE(poll(server, sid).json()["code"].toInt(), 1);
        first->deleteLater();
    }

    void sessionWithoutConnectIsClosedAfterConnectTimeout() {
        Server server;
        QVERIFY(server.start({"--connect-timeout", "300"}));
        const QString sid = handshake(server);
        QTRY_COMPARE_WITH_TIMEOUT(poll(server, sid).json()["code"].toInt(-1), 1, 10000);
    }

    void sessionLimit() {
        Server server;
        QVERIFY(server.start({"--max-sessions", "2"}));
        QVERIFY(!handshake(server).isEmpty());
        QVERIFY(!handshake(server).isEmpty());
        const HttpReply third = http("GET", server.url("EIO=4&transport=polling"));
        QCOMPARE(third.status, 503);
        QCOMPARE(third.header("access-control-allow-origin"), QByteArray("*"));
    }

    void clientThatStopsPollingIsDroppedWhenItsBufferFills() {
        Server server;
        QVERIFY(server.start());
        const QString slow = handshake(server);
        QCOMPARE(push(server, slow, "40").status, 200);
        QCOMPARE(poll(server, slow).status, 200);
        QCOMPARE(server.clients(), 1);
        // More events than the session may buffer (1000 packets) while the client never polls.
        for (int i = 0; i < 1100 && server.clients() > 0; ++i)
            server.emitAll("task-progress");
        QCOMPARE(server.clients(), 0);
        QCOMPARE(poll(server, slow).json()["code"].toInt(-1), 1);
    }
};

QTEST_MAIN(TestRealtimeEngine)
#include "tst_realtime_engine.moc"
