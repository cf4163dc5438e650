// Navigator's own WebSocket layer on real loopback connections against an in-process EngineServer: QWebSocket
// (QtWebSockets) as a well-behaved client, raw TCP for the handshake refusals and protocol errors. Covers the
// Engine.IO session over WebSocket, the upgrade from polling, refusals with a close reason, the close
// handshake, large messages (partial writes), and that an upgraded connection keeps counting against the
// per-address connection cap until it closes.
#include "server/realtime/EngineServer.h"
#include "server/realtime/EngineSession.h"
#include "server/realtime/Transport.h"

#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QWebSocket>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace nav::realtime;

namespace {

constexpr int kWaitMs = 10000;
const QByteArray kKey = "dGhlIHNhbXBsZSBub25jZQ==";

QUrl wsUrl(quint16 port, const QString &query = QStringLiteral("EIO=4&transport=websocket")) {
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?%2").arg(port).arg(query));
}

QByteArray upgradeRequest(const QByteArray &query = "EIO=4&transport=websocket",
                          const QByteArray &extra = {}) {
    return "GET /socket.io/?" + query +
           " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: " +
           kKey + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";
}

// A masked client frame with FIN set (or an unmasked one); the mask is random unless given.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool masked = true, quint32 key = 0) {
    QByteArray frame;
    frame.append(static_cast<char>(0x80 | opcode));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        frame.append(static_cast<char>(maskBit | payload.size()));
    } else {
        frame.append(static_cast<char>(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            frame.append(static_cast<char>((quint64(payload.size()) >> (8 * i)) & 0xFF));
    }
    if (!masked)
        return frame + payload;
    if (key == 0)
        key = QRandomGenerator::global()->generate();
    const char mask[4] = {char(key), char(key >> 8), char(key >> 16), char(key >> 24)};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(static_cast<char>(payload[i] ^ mask[i % 4]));
    return frame;
}

// Reads the HTTP answer head of a raw upgrade.
QByteArray readHead(QTcpSocket &socket, QByteArray &buffer) {
    (void)QTest::qWaitFor(
        [&] {
            buffer += socket.readAll();
            return buffer.contains("\r\n\r\n") || socket.state() != QAbstractSocket::ConnectedState;
        },
        kWaitMs);
    buffer += socket.readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return {};
    const QByteArray head = buffer.left(end + 4);
    buffer.remove(0, end + 4);
    return head;
}

struct ServerFrame {
    int opcode = -1;
    QByteArray payload;
};

// Reads one (unmasked, unfragmented) server frame.
ServerFrame readFrame(QTcpSocket &socket, QByteArray &buffer) {
    ServerFrame frame;
    (void)QTest::qWaitFor(
        [&] {
            buffer += socket.readAll();
            if (buffer.size() < 2)
                return false;
            qsizetype headerSize = 2;
            quint64 length = static_cast<unsigned char>(buffer[1]) & 0x7F;
            if (length >= 126) {
                const int bytes = length == 126 ? 2 : 8;
                if (buffer.size() < 2 + bytes)
                    return false;
                length = 0;
                for (int i = 0; i < bytes; ++i)
                    length = (length << 8) | static_cast<unsigned char>(buffer[2 + i]);
                headerSize += bytes;
            }
            if (buffer.size() < headerSize + qsizetype(length))
                return false;
            frame.opcode = static_cast<unsigned char>(buffer[0]) & 0x0F;
            frame.payload = buffer.mid(headerSize, qsizetype(length));
            buffer.remove(0, headerSize + qsizetype(length));
            return true;
        },
        kWaitMs);
    return frame;
}

int closeCodeOf(const ServerFrame &frame) {
    if (frame.opcode != 0x8 || frame.payload.size() < 2)
        return -1;
    return (static_cast<unsigned char>(frame.payload[0]) << 8) | static_cast<unsigned char>(frame.payload[1]);
}

bool waitForEof(QTcpSocket &socket) {
    return QTest::qWaitFor(
        [&] {
            socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        kWaitMs);
}

// Connects socket to the server, sends request and returns the response head ("" when it cannot connect).
QByteArray requestHead(QTcpSocket &socket, quint16 port, const QByteArray &request, QByteArray &buffer) {
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(kWaitMs))
        return {};
    socket.write(request);
    return readHead(socket, buffer);
}

// Opens a WebSocket by hand on socket and reads the 101 and the Engine.IO open packet.
bool rawWebSocket(QTcpSocket &socket, quint16 port, QByteArray &buffer) {
    return requestHead(socket, port, upgradeRequest(), buffer).startsWith("HTTP/1.1 101 ") &&
           readFrame(socket, buffer).payload.startsWith("0{");
}

// An echo server: every session sends back what it receives, with a "!" after text.
struct EchoServer {
    explicit EchoServer(const EngineSettings &settings) : engine(settings) {
        QObject::connect(&engine, &EngineServer::connection, &engine, [this](EngineSession *session) {
            sessions.append(session);
            QObject::connect(session, &EngineSession::message, session,
                             [session](const QByteArray &data, bool binary) {
                                 session->sendMessage(binary ? data : data + "!", binary);
                             });
        });
    }
    EngineServer engine;
    QList<QPointer<EngineSession>> sessions;
};

EngineSettings testSettings() {
    EngineSettings settings;
    settings.pingIntervalMs = 60'000; // no heartbeat traffic during a test
    settings.pingTimeoutMs = 60'000;
    return settings;
}

// Opens a QWebSocket and waits for the Engine.IO open packet; returns it (empty on failure).
QString openClient(QWebSocket &client, const QUrl &url) {
    QSignalSpy text(&client, &QWebSocket::textMessageReceived);
    QSignalSpy failed(&client, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    client.open(url);
    if (!QTest::qWaitFor([&] { return !text.isEmpty() || !failed.isEmpty(); }, kWaitMs) || text.isEmpty())
        return {};
    return text.first().first().toString();
}

} // namespace

class TestWebSocketServer : public QObject {
    Q_OBJECT
private slots:
    void sessionOverWebSocket() {
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QWebSocket client;
        const QString open = openClient(client, wsUrl(server.engine.port()));
        QVERIFY2(open.startsWith(QLatin1String("0{")) && open.contains(QLatin1String("\"sid\":")),
                 qPrintable(open));
        QVERIFY(open.contains(QLatin1String("\"upgrades\":[]")));
        QCOMPARE(server.engine.sessionsByTransport().value(QStringLiteral("websocket")), 1);

        QSignalSpy text(&client, &QWebSocket::textMessageReceived);
        QSignalSpy binary(&client, &QWebSocket::binaryMessageReceived);
        QSignalSpy pong(&client, &QWebSocket::pong);
        client.sendTextMessage(QStringLiteral("4h\u00e9llo"));
        client.sendBinaryMessage(QByteArray("\x00\x01\xff", 3));
        client.ping("are you there");
        QVERIFY(QTest::qWaitFor([&] { return !text.isEmpty() && !binary.isEmpty() && !pong.isEmpty(); },
                                kWaitMs));
        QCOMPARE(text.first().first().toString(), QStringLiteral("4h\u00e9llo!"));
        QCOMPARE(binary.first().first().toByteArray(), QByteArray("\x00\x01\xff", 3));
        QCOMPARE(pong.first().at(1).toByteArray(), QByteArray("are you there"));
    }

    void largeMessagesBothWays() {
        // Larger than a socket buffer: the server writes in parts and queues what follows until drained.
        EngineSettings settings = testSettings();
        settings.maxPayload = 8'000'000;
        EchoServer server(settings);
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QWebSocket client;
        QVERIFY(!openClient(client, wsUrl(server.engine.port())).isEmpty());
        QSignalSpy text(&client, &QWebSocket::textMessageReceived);
        const QString big = QStringLiteral("4") + QString(6'000'000, QLatin1Char('x'));
        client.sendTextMessage(big);
        client.sendTextMessage(QStringLiteral("4after"));
        QVERIFY(QTest::qWaitFor([&] { return text.size() >= 2; }, 30000));
        QCOMPARE(text.at(0).first().toString().size(), big.size() + 1);
        QCOMPARE(text.at(1).first().toString(), QStringLiteral("4after!"));
    }

    void handshakeRefusals_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray good = upgradeRequest();
        QTest::newRow("no key") << QByteArray(good).replace("Sec-WebSocket-Key: " + kKey + "\r\n", "") << 400;
        QTest::newRow("short key") << QByteArray(good).replace(kKey, "c2hvcnQ=") << 400;
        QTest::newRow("version 8") << QByteArray(good).replace("Version: 13", "Version: 8") << 426;
        QTest::newRow("HTTP/1.0") << QByteArray(good).replace("HTTP/1.1", "HTTP/1.0") << 400;
        QTest::newRow("Connection without upgrade")
            << QByteArray(good).replace("Connection: Upgrade", "Connection: keep-alive") << 400;
        QTest::newRow("POST")
            << QByteArray(good).replace("GET ", "POST ").replace("\r\n\r\n", "\r\nContent-Length: 0\r\n\r\n")
            << 400;
    }
    void handshakeRefusals() {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QTcpSocket socket;
        QByteArray buffer;
        const QByteArray head = requestHead(socket, server.engine.port(), request, buffer);
        QVERIFY2(head.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '), head.constData());
        if (status == 426)
            QVERIFY2(head.contains("\r\nSec-WebSocket-Version: 13\r\n"), head.constData());
        QVERIFY(waitForEof(socket));
        QCOMPARE(server.engine.sessionCount(), 0);
    }

    void engineIoRefusalsCloseWithAReason_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("reason");
        QTest::newRow("unknown sid") << "EIO=4&transport=websocket&sid=nope"
                                     << "Session ID unknown";
        QTest::newRow("EIO=3") << "EIO=3&transport=websocket"
                               << "Unsupported protocol version";
        QTest::newRow("unknown transport") << "EIO=4&transport=carrier-pigeon"
                                           << "Transport unknown";
        QTest::newRow("polling over a WebSocket") << "EIO=4&transport=polling"
                                                  << "Bad request";
    }
    void engineIoRefusalsCloseWithAReason() {
        QFETCH(QString, query);
        QFETCH(QString, reason);
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QWebSocket client;
        QSignalSpy disconnected(&client, &QWebSocket::disconnected);
        client.open(wsUrl(server.engine.port(), query));
        QVERIFY(QTest::qWaitFor([&] { return !disconnected.isEmpty(); }, kWaitMs));
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QCOMPARE(client.closeReason(), reason);
        QCOMPARE(server.engine.sessionCount(), 0);
    }

    void tooManySessions() {
        EngineSettings settings = testSettings();
        settings.maxSessions = 1;
        EchoServer server(settings);
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QWebSocket first, second;
        QVERIFY(!openClient(first, wsUrl(server.engine.port())).isEmpty());
        QSignalSpy disconnected(&second, &QWebSocket::disconnected);
        second.open(wsUrl(server.engine.port()));
        QVERIFY(QTest::qWaitFor([&] { return !disconnected.isEmpty(); }, kWaitMs));
        QCOMPARE(second.closeReason(), QStringLiteral("Too many sessions"));
        QCOMPARE(server.engine.sessionCount(), 1);
    }

    void protocolErrorsCloseTheConnection_data() {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<int>("code");
        QTest::newRow("unmasked") << clientFrame(0x1, "4hi", false) << 1002;
        QTest::newRow("RSV1") << QByteArray(clientFrame(0x1, "4hi")).replace(0, 1, "\xc1") << 1002;
        QTest::newRow("invalid UTF-8") << clientFrame(0x1, "4\xff") << 1007;
        QTest::newRow("message over maxPayload") << clientFrame(0x1, "4" + QByteArray(1000, 'x')) << 1009;
    }
    void protocolErrorsCloseTheConnection() {
        QFETCH(QByteArray, frame);
        QFETCH(int, code);
        EngineSettings settings = testSettings();
        settings.maxPayload = 1000;
        EchoServer server(settings);
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QTcpSocket socket;
        QByteArray buffer;
        const QByteArray head = requestHead(socket, server.engine.port(), upgradeRequest(), buffer);
        QVERIFY2(head.startsWith("HTTP/1.1 101 "), head.constData());
        QVERIFY(head.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        QVERIFY(!head.contains("Sec-WebSocket-Extensions"));
        QVERIFY(readFrame(socket, buffer).payload.startsWith("0{"));
        QCOMPARE(server.engine.sessionCount(), 1);
        socket.write(frame);
        QCOMPARE(closeCodeOf(readFrame(socket, buffer)), code);
        QVERIFY(waitForEof(socket));
        QVERIFY(QTest::qWaitFor([&] { return server.engine.sessionCount() == 0; }, kWaitMs));
    }

    void framesSentWithTheHandshakeAreRead() {
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        // Frames right behind the head, as one write (the fixed mask keeps CR and LF out of them, so no
        // HTTP reader could take them for a head).
        const QByteArray frames =
            clientFrame(0x1, "4early", true, 0x44332211) + clientFrame(0x9, "p", true, 0x44332211);
        QVERIFY(!frames.contains('\r') && !frames.contains('\n'));
        QTcpSocket socket;
        QByteArray buffer;
        QVERIFY(requestHead(socket, server.engine.port(), upgradeRequest() + frames, buffer)
                    .startsWith("HTTP/1.1 101 "));
        QVERIFY(readFrame(socket, buffer).payload.startsWith("0{"));
        const ServerFrame echo = readFrame(socket, buffer);
        QCOMPARE(echo.payload, QByteArray("4early!"));
        const ServerFrame pong = readFrame(socket, buffer);
        QCOMPARE(pong.opcode, 0xA);
        QCOMPARE(pong.payload, QByteArray("p"));
    }

    void closeHandshakeFromTheClient() {
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QTcpSocket socket;
        QByteArray buffer;
        QVERIFY(rawWebSocket(socket, server.engine.port(), buffer));
        QSignalSpy closed(server.sessions.first().data(), &EngineSession::closed);
        socket.write(clientFrame(0x8, QByteArray("\x0f\xa0", 2) + "done")); // 4000
        const ServerFrame answer = readFrame(socket, buffer);
        QCOMPARE(closeCodeOf(answer), 4000);
        QVERIFY(waitForEof(socket)); // the server closes the TCP connection first
        QVERIFY(QTest::qWaitFor([&] { return !closed.isEmpty(); }, kWaitMs));
        QCOMPARE(closed.first().first().toString(), QStringLiteral("transport close"));
    }

    void engineIoCloseEndsTheWebSocketWithGoingAway() {
        // The client's Engine.IO close packet ends the session; its WebSocket is then closed from the server
        // side with 1001, and the server waits for the client's end of the connection.
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QTcpSocket socket;
        QByteArray buffer;
        QVERIFY(rawWebSocket(socket, server.engine.port(), buffer));
        socket.write(clientFrame(0x1, "1"));
        QCOMPARE(closeCodeOf(readFrame(socket, buffer)), 1001);
        QVERIFY(QTest::qWaitFor([&] { return server.engine.sessionCount() == 0; }, kWaitMs));
        socket.write(clientFrame(0x8, QByteArray("\x03\xe9", 2)));
        QVERIFY(waitForEof(socket));
    }

    void aClientThatNeverAnswersTheCloseIsDropped() {
        // After its close frame the server half-closes; a client that neither answers nor closes (a plain
        // descriptor here: QTcpSocket would close on the server's FIN) is cut off after the close timeout,
        // and its place under the per-address cap comes back.
        EngineSettings settings = testSettings();
        settings.connection.maxConnectionsPerAddress = 1;
        EchoServer server(settings);
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        auto closeFd = qScopeGuard([fd] { ::close(fd); });
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(server.engine.port());
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QVERIFY(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        const QByteArray request = upgradeRequest();
        QCOMPARE(::send(fd, request.constData(), request.size(), MSG_NOSIGNAL), ssize_t(request.size()));
        QVERIFY(QTest::qWaitFor([&] { return server.engine.sessionCount() == 1; }, kWaitMs));
        server.engine.closeAll();
        QVERIFY(QTest::qWaitFor(
            [&] { // everything up to the server's FIN: the 101, the open packet and the close frame
                char chunk[4096];
                return ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT) == 0;
            },
            kWaitMs));
        QWebSocket again;
        bool opened = false;
        for (int attempt = 0; attempt < 50 && !opened; ++attempt) {
            opened = !openClient(again, wsUrl(server.engine.port())).isEmpty();
            if (!opened)
                QTest::qWait(200);
        }
        QVERIFY(opened);
    }

    void closeAllSendsCloseFrames() {
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QWebSocket a, b;
        QVERIFY(!openClient(a, wsUrl(server.engine.port())).isEmpty());
        QVERIFY(!openClient(b, wsUrl(server.engine.port())).isEmpty());
        QSignalSpy aGone(&a, &QWebSocket::disconnected), bGone(&b, &QWebSocket::disconnected);
        server.engine.closeAll();
        QVERIFY(QTest::qWaitFor([&] { return !aGone.isEmpty() && !bGone.isEmpty(); }, kWaitMs));
        QCOMPARE(a.closeCode(), QWebSocketProtocol::CloseCodeNormal);
        QCOMPARE(b.closeCode(), QWebSocketProtocol::CloseCodeNormal);
        QCOMPARE(server.engine.sessionCount(), 0);
    }

    void upgradeFromPolling() {
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QTcpSocket http;
        http.connectToHost(QHostAddress::LocalHost, server.engine.port());
        QVERIFY(http.waitForConnected(kWaitMs));
        http.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray response;
        QVERIFY(QTest::qWaitFor(
            [&] {
                response += http.readAll();
                return response.contains("\"maxPayload\"");
            },
            kWaitMs));
        QVERIFY(response.contains("\"upgrades\":[\"websocket\"]"));
        const QString sid =
            QRegularExpression("\"sid\":\"([^\"]+)\"").match(QString::fromLatin1(response)).captured(1);
        QVERIFY(!sid.isEmpty());
        QCOMPARE(server.sessions.size(), 1);
        EngineSession *session = server.sessions.first();
        QSignalSpy upgraded(session, &EngineSession::upgraded);

        QWebSocket ws;
        QSignalSpy text(&ws, &QWebSocket::textMessageReceived);
        QSignalSpy connected(&ws, &QWebSocket::connected);
        ws.open(wsUrl(server.engine.port(), "EIO=4&transport=websocket&sid=" + sid));
        QVERIFY(QTest::qWaitFor([&] { return !connected.isEmpty(); }, kWaitMs));
        ws.sendTextMessage(QStringLiteral("2probe"));
        QVERIFY(QTest::qWaitFor([&] { return !text.isEmpty(); }, kWaitMs));
        QCOMPARE(text.first().first().toString(), QStringLiteral("3probe"));
        ws.sendTextMessage(QStringLiteral("5"));
        QVERIFY(QTest::qWaitFor([&] { return !upgraded.isEmpty(); }, kWaitMs));
        QCOMPARE(session->transport()->name(), QStringLiteral("websocket"));
        ws.sendTextMessage(QStringLiteral("4over websocket"));
        QVERIFY(QTest::qWaitFor([&] { return text.size() >= 2; }, kWaitMs));
        QCOMPARE(text.last().first().toString(), QStringLiteral("4over websocket!"));
        QCOMPARE(server.engine.sessionsByTransport().value(QStringLiteral("websocket")), 1);
    }

    void forwardedHeadersReachTheHandshake() {
        EchoServer server(testSettings());
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QNetworkRequest request(wsUrl(server.engine.port()));
        request.setRawHeader("X-Forwarded-For", "203.0.113.7, 10.0.0.1");
        request.setRawHeader("CF-Connecting-IP", "198.51.100.4");
        QWebSocket client;
        QSignalSpy text(&client, &QWebSocket::textMessageReceived);
        client.open(request);
        QVERIFY(QTest::qWaitFor([&] { return !text.isEmpty(); }, kWaitMs));
        QCOMPARE(server.sessions.size(), 1);
        const HandshakeInfo &handshake = server.sessions.first()->handshake();
        QCOMPARE(handshake.forwardedFor, QByteArray("203.0.113.7, 10.0.0.1"));
        QCOMPARE(handshake.cfConnectingIp, QByteArray("198.51.100.4"));
        QCOMPARE(handshake.address.toIPv4Address(), QHostAddress(QHostAddress::LocalHost).toIPv4Address());
        QCOMPARE(handshake.path, QStringLiteral("/socket.io/"));
    }

    void upgradedConnectionsCountAgainstTheAddressCap() {
        // A WebSocket no longer has a QTcpSocket, but its connection still holds its place under
        // HTTP_MAX_CONNECTIONS_PER_IP until it closes: upgrading is no way around the cap.
        EngineSettings settings = testSettings();
        settings.connection.maxConnectionsPerAddress = 3;
        EchoServer server(settings);
        QVERIFY(server.engine.listen(QHostAddress::LocalHost, 0));
        QWebSocket clients[3];
        for (QWebSocket &client : clients)
            QVERIFY(!openClient(client, wsUrl(server.engine.port())).isEmpty());
        QTest::qWait(200); // give a wrongly released place time to come back
        QTcpSocket extra;
        QByteArray buffer;
        const QByteArray head = requestHead(extra, server.engine.port(), upgradeRequest(), buffer);
        QVERIFY2(head.startsWith("HTTP/1.1 503 "), head.constData());

        // Closing one WebSocket gives its place back.
        QSignalSpy gone(&clients[0], &QWebSocket::disconnected);
        clients[0].close();
        QVERIFY(QTest::qWaitFor([&] { return !gone.isEmpty(); }, kWaitMs));
        QVERIFY(QTest::qWaitFor([&] { return server.engine.sessionCount() == 2; }, kWaitMs));
        QWebSocket again;
        bool opened = false;
        for (int attempt = 0; attempt < 20 && !opened; ++attempt) { // the server may close its end last
            opened = !openClient(again, wsUrl(server.engine.port())).isEmpty();
            if (!opened)
                QTest::qWait(100);
        }
        QVERIFY(opened);
    }
};

QTEST_GUILESS_MAIN(TestWebSocketServer)
#include "tst_websocket_server.moc"
