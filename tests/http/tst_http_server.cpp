// The API port's HTTP layer (http::HttpServer over http::RawHttpListener / http::RawHttpConnection, raw
// descriptors) in process, for what the suites against the navigator binary do not reach: HEAD through the
// GET route without a body, keep-alive and pipelined requests answered in order behind a slow one, HTTP/1.0
// and Connection: close, a responder dropped unanswered (500 JSON), an answer after the client left (a
// no-op), the total connection cap (503 + Retry-After), and the request fields handlers see (decoded route
// params, query, repeated headers, peer address, body).
#include "server/http/HttpServer.h"
#include "tests/support/RawHttpClient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QtTest>

#include <optional>

using namespace nav::http;
using nav::test::Client;
using nav::test::Response;

class TestHttpServer : public QObject {
    Q_OBJECT

    std::unique_ptr<HttpServer> m_server;
    std::optional<Responder> m_held;

    bool start(const ConnectionLimits &limits = {}) {
        m_server = std::make_unique<HttpServer>(limits);
        m_server->get("/text", [](const Request &, Responder r) { r.send(200, "hello", "text/plain"); });
        m_server->get("/slow", [](const Request &, Responder r) {
            QTimer::singleShot(200, [r]() mutable { r.send(200, "slow", "text/plain"); });
        });
        m_server->get("/drop", [](const Request &, Responder) {});
        m_server->get("/hold", [this](const Request &, Responder r) { m_held = std::move(r); });
        m_server->post("/echo/:name", [](const Request &req, Responder r) {
            r.json(200, QJsonObject{{"name", req.param("name")},
                                    {"path", req.path},
                                    {"q", req.queryValue("q").value_or("(none)")},
                                    {"header", QString::fromLatin1(req.header("X-Test"))},
                                    {"remote", req.remoteAddress},
                                    {"body", QString::fromLatin1(req.body)}});
        });
        return m_server->listen(QHostAddress::LocalHost, 0);
    }

private slots:
    void cleanup() {
        m_held.reset();
        m_server.reset();
    }

    void headIsTheGetRouteWithoutBody() {
        QVERIFY(start());
        Client client;
        QVERIFY(client.connectTo(m_server->port()));
        client.send("HEAD /text HTTP/1.1\r\nHost: x\r\n\r\nGET /text HTTP/1.1\r\nHost: x\r\nConnection: "
                    "close\r\n\r\n");
        QVERIFY(client.waitClosed());
        const QByteArray all = client.buffered();
        QCOMPARE(all.count("HTTP/1.1 200 OK\r\n"), 2);
        QCOMPARE(all.count("hello"), 1);
        const qsizetype headEnd = all.indexOf("\r\n\r\n");
        QVERIFY(all.left(headEnd).contains("Content-Length: 5"));
        QVERIFY(all.left(headEnd).contains("Access-Control-Allow-Origin: *"));
        QVERIFY(all.mid(headEnd + 4).startsWith("HTTP/1.1 200 OK\r\n")); // no body after the HEAD answer
        QVERIFY(all.endsWith("hello"));
    }

    void keepAliveAndPipelinedAnswersInOrder() {
        QVERIFY(start());
        Client client;
        QVERIFY(client.connectTo(m_server->port()));
        QCOMPARE(client.roundTrip("GET /text HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("hello"));
        // The slow answer comes first although the fast one could be answered at once.
        client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /text HTTP/1.1\r\nHost: x\r\n\r\n");
        const Response slow = client.read();
        const Response fast = client.read();
        QVERIFY(slow.complete && fast.complete);
        QCOMPARE(slow.body, QByteArray("slow"));
        QCOMPARE(fast.body, QByteArray("hello"));
        QVERIFY(client.stillOpenAfter(100));
    }

    void http10AndConnectionCloseCloseAfterTheAnswer_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::newRow("HTTP/1.0") << QByteArray("GET /text HTTP/1.0\r\n\r\n");
        QTest::newRow("Connection: close")
            << QByteArray("GET /text HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n");
    }
    void http10AndConnectionCloseCloseAfterTheAnswer() {
        QFETCH(QByteArray, request);
        QVERIFY(start());
        Client client;
        QVERIFY(client.connectTo(m_server->port()));
        const Response response = client.roundTrip(request);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("hello"));
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
    }

    void droppedResponderAnswers500() {
        QVERIFY(start());
        Client client;
        QVERIFY(client.connectTo(m_server->port()));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("was dropped without an answer"));
        const Response response = client.roundTrip("GET /drop HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(response.status, 500);
        QCOMPARE(QJsonDocument::fromJson(response.body).object().value("error_code").toString(),
                 QStringLiteral("INTERNAL_ERROR"));
        QCOMPARE(response.header("Access-Control-Allow-Origin"), QByteArray("*"));
        QCOMPARE(client.roundTrip("GET /text HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("hello"));
    }

    void answerAfterTheClientLeftIsANoOp() {
        QVERIFY(start());
        {
            Client client;
            QVERIFY(client.connectTo(m_server->port()));
            client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(QTest::qWaitFor([this] { return m_held.has_value(); }, nav::test::kWaitMs));
            QVERIFY(!m_held->clientGone());
            client.socket().abort();
        }
        QVERIFY(QTest::qWaitFor([this] { return m_held->clientGone(); }, nav::test::kWaitMs));
        m_held->send(200, "late", "text/plain");
        QVERIFY(m_held->answered());
        QVERIFY(m_held->clientGone());
        m_held.reset();
        // The server still answers others.
        Client other;
        QVERIFY(other.connectTo(m_server->port()));
        QCOMPARE(other.roundTrip("GET /text HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
    }

    void totalConnectionCapAnswers503() {
        ConnectionLimits limits;
        limits.maxConnections = 2;
        limits.maxConnectionsPerAddress = 0;
        QVERIFY(start(limits));
        Client a, b, c;
        QVERIFY(a.connectTo(m_server->port()));
        QCOMPARE(a.roundTrip("GET /text HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
        QVERIFY(b.connectTo(m_server->port()));
        QCOMPARE(b.roundTrip("GET /text HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("refusing a connection"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("refused a request"));
        QVERIFY(c.connectTo(m_server->port()));
        const Response refused = c.read();
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.header("Retry-After"), QByteArray("5"));
        QVERIFY(c.waitClosed());
        // A place is free again once a connection closes.
        a.socket().abort();
        Client d;
        QVERIFY(QTest::qWaitFor(
            [&] {
                Client probe;
                if (!probe.connectTo(m_server->port()))
                    return false;
                return probe.roundTrip("GET /text HTTP/1.1\r\nHost: x\r\n\r\n").status == 200;
            },
            nav::test::kWaitMs));
    }

    void requestFields() {
        QVERIFY(start());
        Client client;
        QVERIFY(client.connectTo(m_server->port()));
        const Response response =
            client.roundTrip("POST /echo/a%20b%2Fc?q=x%20y&r=1 HTTP/1.1\r\nHost: x\r\n"
                             "X-Test: one\r\nx-test: two\r\nContent-Length: 4\r\n\r\nbody");
        QCOMPARE(response.status, 200);
        const QJsonObject echo = QJsonDocument::fromJson(response.body).object();
        QCOMPARE(echo.value("name").toString(), QStringLiteral("a b/c"));
        QCOMPARE(echo.value("q").toString(), QStringLiteral("x y"));
        QCOMPARE(echo.value("header").toString(), QStringLiteral("two"));
        QCOMPARE(echo.value("remote").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(echo.value("body").toString(), QStringLiteral("body"));
        // A target that starts with "//" is a path (the router skips the empty segment), not an authority.
        QCOMPARE(client.roundTrip("GET //text HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("hello"));
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_http_server.moc"
