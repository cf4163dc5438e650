// HTTP basics over real loopback: hello route, CORS on every kind of answer, preflight, HEAD, 404/405 JSON,
// body and header limits enforced before buffering, Expect: 100-continue, and idle connection timeouts.
#include "tests/support/TestSupport.h"

#include <QTcpSocket>
#include <QtTest>

using namespace nav::test;

class HttpTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<NavigatorInstance> m_nav;

    static void verifyCors(const HttpReply &reply) {
        QCOMPARE(reply.header("access-control-allow-origin"), QByteArray("*"));
        const QByteArray methods = reply.header("access-control-allow-methods");
        for (const char *method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
            QVERIFY2(methods.contains(method), methods.constData());
        const QByteArray headers = reply.header("access-control-allow-headers").toLower();
        QVERIFY(headers.contains("authorization"));
        QVERIFY(headers.contains("content-type"));
    }

    // Sends raw bytes and returns whatever the server wrote before closing or timing out.
    QByteArray raw(const QByteArray &request, int waitMs = 3000) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_nav->httpPort());
        if (!socket.waitForConnected(3000))
            return {};
        socket.write(request);
        QByteArray received;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < waitMs && socket.state() == QAbstractSocket::ConnectedState) {
            if (socket.waitForReadyRead(100))
                received += socket.readAll();
            if (received.contains("\r\n\r\n") && received.startsWith("HTTP/1.1 100"))
                break;
        }
        return received + socket.readAll();
    }

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_nav = std::make_unique<NavigatorInstance>(
            *m_db, QHash<QString, QString>{{"MAX_BODY_SIZE", "1kb"}, {"HTTP_IDLE_TIMEOUT", "1s"}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
    }
    void cleanupTestCase() { m_nav.reset(); }

    void hello() {
        const HttpReply reply = http("GET", m_nav->url("/"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, QByteArray(R"({"message":"Hello World!","status":"online"})"));
        QVERIFY(reply.header("content-type").startsWith("application/json"));
        verifyCors(reply);
    }

    // Both ports are served on raw descriptors: Qt's HTTP server (and QtWebSockets with it) is not loaded.
    // OpenSSL's TLS backend stays unloaded until an outgoing HTTPS call needs it.
    void idleProcessLoadsNoHttpServerNorTls() {
        QFile maps(QStringLiteral("/proc/%1/maps").arg(m_nav->process().pid()));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray mapped = maps.readAll();
        QVERIFY(mapped.contains("libQt6Network"));
        QVERIFY2(!mapped.contains("libQt6HttpServer"), "navigator loads Qt's HTTP server");
        QVERIFY2(!mapped.contains("libQt6WebSockets"), "navigator loads QtWebSockets");
        QVERIFY2(!mapped.contains("libqopensslbackend"), "the TLS plugin was loaded at start");
        if (!m_db->isMysql()) { // MariaDB's client library links OpenSSL itself
            QVERIFY2(!mapped.contains("libssl.so"), "OpenSSL was loaded at start");
            QVERIFY2(!mapped.contains("libcrypto.so"), "OpenSSL was loaded at start");
        }
        QVERIFY2(!m_nav->process().output().contains("qt.network.ssl"),
                 m_nav->process().output().constData());
    }

    void notFoundIsJsonWithCors() {
        const HttpReply reply = http("GET", m_nav->url("/no/such/path"));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("NOT_FOUND"));
        QVERIFY(!reply.json().value("error").toString().isEmpty());
        verifyCors(reply);
    }

    void wrongMethodIs405() {
        const HttpReply reply = http("DELETE", m_nav->url("/"));
        QCOMPARE(reply.status, 405);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("METHOD_NOT_ALLOWED"));
        verifyCors(reply);
    }

    void preflightOnAnyPath() {
        for (const char *path : {"/", "/api/user/category/5", "/whatever"}) {
            const HttpReply reply = http("OPTIONS", m_nav->url(QString::fromLatin1(path)), {},
                                         {{"Origin", "http://compass.example"},
                                          {"Access-Control-Request-Method", "PATCH"},
                                          {"Access-Control-Request-Headers", "authorization,content-type"}});
            QCOMPARE(reply.status, 204);
            verifyCors(reply);
        }
    }

    void headHasHeadersButNoBody() {
        const HttpReply reply = http("HEAD", m_nav->url("/"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.isEmpty());
        QCOMPARE(reply.header("content-length"), QByteArray("44"));
        verifyCors(reply);
    }

    void limitsAreNumbers() {
        const HttpReply reply = http("GET", m_nav->url("/api/config/limits"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.json().value("max_pixels").isDouble());
        QCOMPARE(reply.json().value("max_pixels").toInteger(), 3686400);
    }

    void oversizedBodyIsRefusedBeforeItArrives() {
        // Only the headers are sent: the 413 must come back without the server waiting for 100 MB.
        const QByteArray answer = raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                      "Content-Length: 104857600\r\n\r\n{");
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
        QVERIFY(answer.contains("PAYLOAD_TOO_LARGE"));
        QVERIFY(answer.contains("Access-Control-Allow-Origin: *"));
        // The server is still fine afterwards.
        QCOMPARE(http("GET", m_nav->url("/")).status, 200);
    }

    void bodyUnderLimitIsServed() {
        const HttpReply reply = http("POST", m_nav->url("/"), QByteArray(900, 'x'));
        QCOMPARE(reply.status, 405); // reached the router: the size was accepted
    }

    void chunkedBodyNeedsLength() {
        const QByteArray answer =
            raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 411"), answer.constData());
    }

    void hugeHeadersAreRefused() {
        const QByteArray answer =
            raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 431"), answer.left(200).constData());
    }

    void expectContinueIsAnswered() {
        const QByteArray answer =
            raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 100 Continue"), answer.constData());
    }

    void idleConnectionsAreClosed() {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_nav->httpPort());
        QVERIFY(socket.waitForConnected(3000));
        socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(socket.waitForReadyRead(3000));
        // HTTP_IDLE_TIMEOUT is 1s in this test; keep-alive connections are dropped after that.
        QElapsedTimer timer;
        timer.start();
        QVERIFY(socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(10000));
        QVERIFY2(timer.elapsed() >= 500, "closed before the idle timeout");
    }
};

QTEST_GUILESS_MAIN(HttpTest)
#include "tst_http.moc"
