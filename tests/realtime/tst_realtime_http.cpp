// The realtime port's HTTP/1.1 layer (http::RawHttpListener / http::RawHttpConnection on raw descriptors)
// on real loopback connections against an in-process EngineServer: keep-alive across polls, HTTP/1.0 and
// Connection: close, pipelined requests answered in order behind a held poll, the header, body and idle
// timeouts, the framing refusals (400/411/413/431) and the body budget (503), the per-address cap, 100
// Continue, a client that drops a held poll, a server destroyed while a poll is held, 404 off the Engine.IO
// path and the CORS preflight. Timeouts are configured short; the waits are generous.
#include "server/realtime/EngineServer.h"
#include "server/realtime/EngineSession.h"
#include "tests/support/RawHttpClient.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QtTest>

using namespace nav::realtime;
using nav::test::Client;
using nav::test::kWaitMs;
using nav::test::Response;

namespace {

const QByteArray kHandshake = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n";

QString sidOf(const Response &open) {
    return QRegularExpression("\"sid\":\"([^\"]+)\"").match(QString::fromLatin1(open.body)).captured(1);
}

QByteArray pollRequest(const QString &sid, const QByteArray &extra = {}) {
    return "GET /socket.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() + " HTTP/1.1\r\nHost: x\r\n" +
           extra + "\r\n";
}

QByteArray postRequest(const QString &sid, const QByteArray &body, const QByteArray &extra = {}) {
    return "POST /socket.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() +
           " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body;
}

EngineSettings quietSettings() {
    EngineSettings settings;
    settings.pingIntervalMs = 60'000; // no heartbeat traffic during a test
    settings.pingTimeoutMs = 60'000;
    return settings;
}

struct Server {
    explicit Server(const EngineSettings &settings) : engine(settings) {
        QObject::connect(&engine, &EngineServer::connection, &engine,
                         [this](EngineSession *session) { sessions.append(session); });
    }
    bool listen() { return engine.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return engine.port(); }
    EngineServer engine;
    QList<QPointer<EngineSession>> sessions;
};

} // namespace

class TestRealtimeHttp : public QObject {
    Q_OBJECT
private slots:
    void keepAliveAcrossPolls() {
        EngineSettings settings = quietSettings();
        settings.pingIntervalMs = 30; // every poll is answered by the next ping
        settings.pingTimeoutMs = 5000;
        Server server(settings);
        QVERIFY(server.listen());
        Client polls, posts;
        QVERIFY(polls.connectTo(server.port()) && posts.connectTo(server.port()));
        const Response open = polls.roundTrip(kHandshake);
        QCOMPARE(open.status, 200);
        const QString sid = sidOf(open);
        QVERIFY2(!sid.isEmpty(), open.body.constData());
        QCOMPARE(open.header("Access-Control-Allow-Origin"), QByteArray("*"));
        for (int i = 0; i < 60; ++i) {
            const Response ping = polls.roundTrip(pollRequest(sid));
            QCOMPARE(ping.body, QByteArray("2"));
            QVERIFY(ping.header("Connection").isEmpty()); // kept alive
            QCOMPARE(posts.roundTrip(postRequest(sid, "3")).body, QByteArray("ok"));
        }
        QCOMPARE(polls.socket().state(), QAbstractSocket::ConnectedState);
        QCOMPARE(posts.socket().state(), QAbstractSocket::ConnectedState);
        QCOMPARE(server.engine.openConnections(), 2);
    }

    void http10AndConnectionCloseCloseAfterTheAnswer_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::newRow("HTTP/1.0") << QByteArray("GET /socket.io/?EIO=4&transport=polling HTTP/1.0\r\n\r\n");
        QTest::newRow("Connection: close") << QByteArray(
            "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }
    void http10AndConnectionCloseCloseAfterTheAnswer() {
        QFETCH(QByteArray, request);
        Server server(quietSettings());
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const Response open = client.roundTrip(request);
        QCOMPARE(open.status, 200);
        QVERIFY(!sidOf(open).isEmpty());
        QCOMPARE(open.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
    }

    void pipelinedRequestsAreAnsweredInOrder() {
        Server server(quietSettings());
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const QString sid = sidOf(client.roundTrip(kHandshake));
        QVERIFY(!sid.isEmpty());
        // A poll that is held, then a preflight and a 404 behind it in the same write.
        client.send(pollRequest(sid) + "OPTIONS /socket.io/?EIO=4 HTTP/1.1\r\nHost: x\r\n\r\nGET /elsewhere "
                                       "HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(!client.read(500).complete); // nothing answers before the poll
        QCOMPARE(server.sessions.size(), 1);
        server.sessions.first()->sendMessage("hello");
        const Response poll = client.read();
        QCOMPARE(poll.status, 200);
        QCOMPARE(poll.body, QByteArray("4hello"));
        QCOMPARE(client.read().status, 204);
        QCOMPARE(client.read().status, 404);
    }

    void headerTimeout() {
        EngineSettings settings = quietSettings();
        settings.connection.headerTimeoutMs = 300;
        Server server(settings);
        QVERIFY(server.listen());
        Client slow; // slowloris: a head that never ends
        QVERIFY(slow.connectTo(server.port()));
        slow.send("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 5 && slow.socket().state() == QAbstractSocket::ConnectedState; ++i) {
            QTest::qWait(100);
            slow.send("X-Slow: a\r\n");
        }
        const Response refused = slow.read();
        QCOMPARE(refused.status, 408);
        QVERIFY(refused.body.contains("HTTP_HEADER_TIMEOUT"));
        QVERIFY(slow.waitClosed());
        Client silent; // a connection that sends nothing is closed without an answer
        QVERIFY(silent.connectTo(server.port()));
        QVERIFY(silent.waitClosed());
        QVERIFY(silent.buffered().isEmpty());
    }

    void bodyTimeout() {
        EngineSettings settings = quietSettings();
        settings.connection.bodyTimeoutMs = 300;
        Server server(settings);
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const QString sid = sidOf(client.roundTrip(kHandshake));
        client.send("POST /socket.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() +
                    " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
        const Response refused = client.read();
        QCOMPARE(refused.status, 408);
        QVERIFY(refused.body.contains("HTTP_BODY_TIMEOUT"));
        QVERIFY(client.waitClosed());
    }

    void idleTimeout() {
        EngineSettings settings = quietSettings();
        settings.idleConnectionTimeoutMs = 300;
        Server server(settings);
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        QCOMPARE(client.roundTrip(kHandshake).status, 200);
        QVERIFY(client.waitClosed());
    }

    void framingRefusals_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("named"); // what the message must name, if anything
        const QByteArray post = "POST /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: x\r\n";
        QTest::newRow("431 head too large")
            << QByteArray("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nX-Big: " +
                          QByteArray(3000, 'a') + "\r\n\r\n")
            << 431 << QByteArray();
        QTest::newRow("413 body over RT_MAX_PAYLOAD") << post + "Content-Length: 5000\r\n\r\n"
                                                      << 413 << QByteArray("RT_MAX_PAYLOAD");
        QTest::newRow("411 Transfer-Encoding")
            << post + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
            << 411 << QByteArray();
        QTest::newRow("400 two Content-Length")
            << post + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab" << 400 << QByteArray();
        QTest::newRow("400 bare LF") << QByteArray(
                                            "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\nHost: x\n\n")
                                     << 400 << QByteArray();
        QTest::newRow("400 unknown method")
            << QByteArray("BREW /socket.io/ HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << QByteArray();
    }
    void framingRefusals() {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        EngineSettings settings = quietSettings();
        settings.maxPayload = 1000;
        settings.connection.maxHeaderBytes = 2048;
        Server server(settings);
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const Response refused = client.roundTrip(request);
        QCOMPARE(refused.status, status);
        QCOMPARE(refused.header("Connection"), QByteArray("close"));
        QVERIFY(refused.body.contains("\"error_code\""));
        QFETCH(QByteArray, named);
        QVERIFY2(refused.body.contains(named), refused.body.constData());
        QVERIFY(client.waitClosed());
    }

    void bodyBudget() {
        EngineSettings settings = quietSettings();
        settings.connection.bodyBudget = std::make_shared<nav::http::BodyBudget>(50);
        Server server(settings);
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const QString sid = sidOf(client.roundTrip(kHandshake));
        QCOMPARE(client.roundTrip(postRequest(sid, "4" + QByteArray(40, 'a'))).status, 200); // fits
        QCOMPARE(settings.connection.bodyBudget->used(), 0);                                 // given back
        const Response refused = client.roundTrip(postRequest(sid, "4" + QByteArray(99, 'a')));
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.header("Retry-After"), QByteArray("5"));
        QVERIFY(client.waitClosed());
    }

    void perAddressCap() {
        EngineSettings settings = quietSettings();
        settings.connection.maxConnectionsPerAddress = 2;
        Server server(settings);
        QVERIFY(server.listen());
        auto a = std::make_unique<Client>();
        Client b, c;
        QVERIFY(a->connectTo(server.port()) && b.connectTo(server.port()));
        QCOMPARE(a->roundTrip(kHandshake).status, 200);
        QCOMPARE(b.roundTrip(kHandshake).status, 200);
        QVERIFY(c.connectTo(server.port()));
        const Response refused = c.read();
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.header("Retry-After"), QByteArray("5"));
        QVERIFY(refused.body.contains("HTTP_MAX_CONNECTIONS_PER_IP"));
        QVERIFY(c.waitClosed());
        // A closed connection gives its place back.
        a.reset();
        QVERIFY(QTest::qWaitFor([&] { return server.engine.openConnections() == 1; }, kWaitMs));
        Client d;
        QVERIFY(d.connectTo(server.port()));
        QCOMPARE(d.roundTrip(kHandshake).status, 200);
    }

    void expectContinue() {
        Server server(quietSettings());
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const QString sid = sidOf(client.roundTrip(kHandshake));
        client.send("POST /socket.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() +
                    " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n"
                    "Expect: 100-continue\r\n\r\n");
        QCOMPARE(client.read().status, 100);
        client.send("4hello");
        const Response ok = client.read();
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.body, QByteArray("ok"));
    }

    void droppingAHeldPollEndsTheSession() {
        Server server(quietSettings());
        QVERIFY(server.listen());
        auto client = std::make_unique<Client>();
        QVERIFY(client->connectTo(server.port()));
        const QString sid = sidOf(client->roundTrip(kHandshake));
        QCOMPARE(server.sessions.size(), 1);
        QSignalSpy closed(server.sessions.first().data(), &EngineSession::closed);
        client->send(pollRequest(sid));
        QVERIFY(!client->read(300).complete); // held
        client.reset();
        QVERIFY(QTest::qWaitFor([&] { return !closed.isEmpty(); }, kWaitMs));
        QCOMPARE(closed.first().first().toString(), QStringLiteral("poll connection closed prematurely"));
        QCOMPARE(server.engine.sessionCount(), 0);
    }

    void serverDestroyedWhileAPollIsHeld() {
        // Shutdown with a long poll waiting: the connection goes with the server, the client sees the
        // connection close, and nothing is called on the half-destroyed server (the sanitizer pass runs
        // this).
        auto server = std::make_unique<Server>(quietSettings());
        QVERIFY(server->listen());
        Client client;
        QVERIFY(client.connectTo(server->port()));
        const QString sid = sidOf(client.roundTrip(kHandshake));
        client.send(pollRequest(sid));
        QVERIFY(!client.read(300).complete); // held
        server.reset();
        QVERIFY(client.waitClosed());
    }

    void offPathIs404AndTheConnectionStaysUsable() {
        Server server(quietSettings());
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const Response missing = client.roundTrip("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(missing.status, 404);
        QVERIFY(missing.body.contains("NOT_FOUND"));
        QCOMPARE(client.roundTrip(kHandshake).status, 200);
    }

    void aRepeatedHeaderReadsAsItsLastLine() {
        // As http::Request does on the API port, so a job's origin and its socket's IP room agree.
        Server server(quietSettings());
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        QCOMPARE(
            client
                .roundTrip("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
                           "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 198.51.100.1, 10.0.0.2\r\n\r\n")
                .status,
            200);
        QCOMPARE(server.sessions.size(), 1);
        QCOMPARE(server.sessions.first()->handshake().forwardedFor, QByteArray("198.51.100.1, 10.0.0.2"));
    }

    void corsPreflight() {
        Server server(quietSettings());
        QVERIFY(server.listen());
        Client client;
        QVERIFY(client.connectTo(server.port()));
        const Response preflight =
            client.roundTrip("OPTIONS /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: "
                             "http://app.example\r\n"
                             "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: "
                             "content-type, x-custom\r\n\r\n");
        QCOMPARE(preflight.status, 204);
        QCOMPARE(preflight.header("Access-Control-Allow-Origin"), QByteArray("*"));
        QCOMPARE(preflight.header("Access-Control-Allow-Methods"), QByteArray("GET, POST, OPTIONS"));
        QCOMPARE(preflight.header("Access-Control-Allow-Headers"), QByteArray("content-type, x-custom"));
        QVERIFY(preflight.body.isEmpty());
        QVERIFY(client.stillOpenAfter(100));
    }
};

QTEST_GUILESS_MAIN(TestRealtimeHttp)
#include "tst_realtime_http.moc"
