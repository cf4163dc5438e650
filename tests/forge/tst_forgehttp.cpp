// ForgeClient's own HTTP/1.1 client against a scripted server in this process: response framing
// (Content-Length, chunked, close-delimited, HTTP/1.0, 100 Continue), Forge's errors and the ForgeError codes
// of every failure (a deadline over the whole call, queueing included), keep-alive reuse and the connection
// cap, the once-only rule for generations (never sent twice, not on a connection idle for long), the one
// retry of ordinary calls, Basic auth and https.
#include "server/forge/ForgeClient.h"
#include "server/forge/HttpClient.h"
#include "server/forge/HttpResponseParser.h"

#include <QRandomGenerator>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using namespace nav::forge;

namespace {

// A server whose answers each test scripts. It counts connections, requests and request bodies.
class ScriptedServer : public QObject {
public:
    struct Request {
        QByteArray head;
        QByteArray body;
        int connection = 0; // 1-based, in accept order
    };
    // Answers request number `index` (0-based over all connections) on `socket`.
    using Answer = std::function<void(QTcpSocket *socket, const Request &request, int index)>;

    // `server` may be a QSslServer set up by the test; by default a plain QTcpServer.
    explicit ScriptedServer(Answer answer, QTcpServer *server = nullptr)
        : m_server(server ? server : new QTcpServer), m_answer(std::move(answer)) {
        m_server->setParent(this);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection()) {
                const int number = ++accepts;
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this,
                        [this, socket, number] { read(socket, number); });
            }
        });
    }

    QUrl url(const QString &userInfo = {}) const {
        QUrl u(QStringLiteral("%1://127.0.0.1:%2/sdapi/v1")
                   .arg(qobject_cast<QSslServer *>(m_server) ? "https" : "http")
                   .arg(m_server->serverPort()));
        if (!userInfo.isEmpty())
            u.setUserInfo(userInfo);
        return u;
    }
    int countBodies(const QByteArray &body) const {
        return int(std::count_if(requests.begin(), requests.end(),
                                 [&](const Request &r) { return r.body == body; }));
    }

    int accepts = 0;
    QList<Request> requests;

private:
    void read(QTcpSocket *socket, int connection) {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = buffer.left(end);
            qsizetype length = 0;
            for (const QByteArray &line : head.split('\n'))
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            if (buffer.size() < end + 4 + length)
                return;
            Request request{head, buffer.mid(end + 4, length), connection};
            buffer.remove(0, end + 4 + length);
            requests.append(request);
            m_answer(socket, request, int(requests.size()) - 1);
            if (socket->state() != QAbstractSocket::ConnectedState)
                return;
        }
    }

    QTcpServer *m_server;
    Answer m_answer;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QByteArray ok(const QByteArray &json, const QByteArray &extraHeaders = {}) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(json.size()) + "\r\n" + extraHeaders + "\r\n" + json;
}

QByteArray testData(const char *name) {
    QFile file(QStringLiteral(NAVIGATOR_TEST_DATA "/") + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct Outcome {
    QJsonDocument doc;
    std::optional<ForgeError> error;
    bool done = false;
    int calls = 0;
};

// Starts a call and waits until it reports (and a little longer, to catch a second report).
std::shared_ptr<Outcome> await(const std::function<void(JsonCallback)> &start) {
    auto outcome = std::make_shared<Outcome>();
    start([outcome](const QJsonDocument &doc, const std::optional<ForgeError> &error) {
        outcome->doc = doc;
        outcome->error = error;
        outcome->done = true;
        ++outcome->calls;
    });
    (void)QTest::qWaitFor([&] { return outcome->done; }, 15'000); // the caller checks outcome->done
    return outcome;
}

} // namespace

class ForgeHttpTest : public QObject {
    Q_OBJECT

private slots:
    // --- the parser on its own: every framing, fed one byte at a time ---

    void parserChunkedByteByByte() {
        const QByteArray wire = "HTTP/1.1 100 Continue\r\n\r\n"
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "4;ext=1\r\n{\"a\"\r\n5\r\n:1234\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n";
        HttpResponseParser parser;
        HttpResponseParser::State state = HttpResponseParser::State::NeedMore;
        for (char c : wire) {
            QCOMPARE(state, HttpResponseParser::State::NeedMore);
            state = parser.feed(QByteArray(1, c));
        }
        QCOMPARE(state, HttpResponseParser::State::Complete);
        QCOMPARE(parser.status(), 200);
        QCOMPARE(parser.body(), QByteArray("{\"a\":1234}"));
        QVERIFY(parser.keepAlive());
    }

    // The same answers cut at random places (a fixed seed, so a failure repeats) parse to the same result,
    // and random bytes end as malformed or incomplete, never in a crash.
    void parserRandomSplitsAndGarbage() {
        const QList<QByteArray> answers{
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: b\r\n\r\n{\"a\":\"bc\"}",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\n{\"d\r\nC;x=y\r\netail\":\"no\"}\r\n0\r\n\r\n",
        };
        const QList<QByteArray> bodies{"{\"a\":\"bc\"}", "{\"detail\":\"no\"}"};
        QRandomGenerator random(15);
        for (int round = 0; round < 200; ++round) {
            const int which = round % 2;
            const QByteArray &wire = answers.at(which);
            HttpResponseParser parser;
            for (qsizetype at = 0; at < wire.size();) {
                const qsizetype n = 1 + random.bounded(int(wire.size() - at));
                parser.feed(wire.mid(at, n));
                at += n;
            }
            QCOMPARE(parser.state(), HttpResponseParser::State::Complete);
            QCOMPARE(parser.status(), which ? 500 : 200);
            QCOMPARE(parser.body(), bodies.at(which));
        }
        for (int round = 0; round < 2000; ++round) {
            QByteArray junk = round % 2 ? QByteArray("HTTP/1.1 200 OK\r\n") : QByteArray();
            const int size = random.bounded(300);
            for (int i = 0; i < size; ++i)
                junk += char(random.bounded(256));
            HttpResponseParser parser;
            parser.feed(junk);
            parser.finishAtClose();
            if (round % 2) // after a valid status line, random header bytes may end the head early
                QVERIFY(parser.state() != HttpResponseParser::State::Complete || parser.status() == 200);
            else
                QVERIFY(parser.state() != HttpResponseParser::State::Complete);
        }
    }

    void parserFramings_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<bool>("completeBeforeClose");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");
        QTest::newRow("content-length") << QByteArray("HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
                                        << true << QByteArray("ok") << true;
        QTest::newRow("connection close")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") << true
            << QByteArray("ok") << false;
        QTest::newRow("http/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") << true
                                  << QByteArray("ok") << false;
        QTest::newRow("http/1.0 keep-alive")
            << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nok") << true
            << QByteArray("ok") << true;
        QTest::newRow("until close") << QByteArray("HTTP/1.1 200 OK\r\n\r\nuntil the end") << false
                                     << QByteArray("until the end") << false;
        QTest::newRow("204 without body")
            << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << true << QByteArray() << true;
        QTest::newRow("bare LF, no reason")
            << QByteArray("HTTP/1.1 200\nContent-Length: 2\n\nok") << true << QByteArray("ok") << true;
    }
    void parserFramings() {
        QFETCH(QByteArray, wire);
        QFETCH(bool, completeBeforeClose);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        HttpResponseParser parser;
        const auto state = parser.feed(wire);
        QCOMPARE(state == HttpResponseParser::State::Complete, completeBeforeClose);
        QCOMPARE(parser.finishAtClose(), HttpResponseParser::State::Complete);
        QCOMPARE(parser.body(), body);
        QCOMPARE(parser.keepAlive(), keepAlive);
    }

    void parserRejects_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::newRow("status not a number") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n");
        QTest::newRow("not http") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n");
        QTest::newRow("http/2 text") << QByteArray("HTTP/2 200\r\n\r\n");
        QTest::newRow("header without colon") << QByteArray("HTTP/1.1 200 OK\r\nbroken\r\n\r\n");
        QTest::newRow("folded header") << QByteArray("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n");
        QTest::newRow("two lengths") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n");
        QTest::newRow("negative length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n");
        QTest::newRow("bad chunk size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        QTest::newRow("chunk without CRLF")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n");
        QTest::newRow("switching protocols") << QByteArray("HTTP/1.1 101 Switching Protocols\r\n\r\n");
        QTest::newRow("huge header") << "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(70 * 1024, 'a') +
                                            "\r\n\r\n";
        QTest::newRow("endless header line") << "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(70 * 1024, 'a');
    }
    void parserRejects() {
        QFETCH(QByteArray, wire);
        HttpResponseParser parser;
        QCOMPARE(parser.feed(wire), HttpResponseParser::State::Bad);
        QVERIFY(!parser.error().isEmpty());
    }

    // --- ForgeClient over real sockets ---

    void contentLengthAnswer() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) { s->write(ok("{\"a\":1}")); });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.get("/options", cb); });
        QVERIFY(!out->error);
        QCOMPARE(out->doc.object().value("a").toInt(), 1);
        QVERIFY(server.requests.first().head.startsWith("GET /sdapi/v1/options HTTP/1.1\r\n"));
    }

    void chunkedAnswerInPieces() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) {
            s->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{\"a\":1");
            s->flush();
            QTimer::singleShot(50, s, [s] { s->write("\r\n1\r\n}\r\n0\r\n\r\n"); });
        });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.get("/options", cb); });
        QVERIFY(!out->error);
        QCOMPARE(out->doc.object().value("a").toInt(), 1);
    }

    void closeDelimitedAnswerIsNotReused() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) {
            s->write("HTTP/1.1 200 OK\r\n\r\n{\"a\":2}");
            s->disconnectFromHost();
        });
        ForgeClient client(server.url(), server.url());
        for (int i = 0; i < 2; ++i) {
            const auto out = await([&](JsonCallback cb) { client.get("/options", cb); });
            QVERIFY2(!out->error, qPrintable(out->error ? out->error->message : QString()));
            QCOMPARE(out->doc.object().value("a").toInt(), 2);
        }
        QCOMPARE(server.accepts, 2);
    }

    void connectionCloseAndHttp10AreHonoured_data() {
        QTest::addColumn<QByteArray>("answer");
        QTest::newRow("Connection: close") << ok("{}", "Connection: close\r\n");
        QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}");
    }
    void connectionCloseAndHttp10AreHonoured() {
        QFETCH(QByteArray, answer);
        // The server keeps its end open: the client alone decides not to send a second request on it.
        ScriptedServer server([answer](QTcpSocket *s, const auto &, int) { s->write(answer); });
        ForgeClient client(server.url(), server.url());
        for (int i = 0; i < 2; ++i)
            QVERIFY(!await([&](JsonCallback cb) { client.get("/options", cb); })->error);
        QCOMPARE(server.accepts, 2);
        QCOMPARE(server.requests.size(), 2);
    }

    void continueIsSkipped() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) {
            s->write("HTTP/1.1 100 Continue\r\n\r\n" + ok("{\"a\":3}"));
        });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.post("/png-info", {{"image", "x"}}, cb); });
        QVERIFY(!out->error);
        QCOMPARE(out->doc.object().value("a").toInt(), 3);
    }

    void bigAnswerParsedOffLoop() {
        const QByteArray image(400 * 1024, 'A');
        const QByteArray json = "{\"images\":[\"" + image + "\"]}";
        ScriptedServer server([json](QTcpSocket *s, const auto &, int) {
            s->write(ok(json).left(1000));
            s->flush();
            QTimer::singleShot(20, s, [s, json] { s->write(ok(json).mid(1000)); });
        });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) {
            client.postOnce("/txt2img", {{"prompt", "p"}}, cb, 10'000);
        });
        QVERIFY(!out->error);
        QCOMPARE(out->doc.object().value("images").toArray().first().toString().size(), image.size());
    }

    void forgeErrorDetail() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) {
            const QByteArray json = "{\"detail\":\"Model not found: xyz\"}";
            s->write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: " +
                     QByteArray::number(json.size()) + "\r\n\r\n" + json);
        });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.post("/options", {}, cb); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("HTTP_500"));
        QCOMPARE(out->error->httpStatus, 500);
        QVERIFY2(out->error->message.contains("Model not found: xyz"), qPrintable(out->error->message));
        QVERIFY(!out->error->neverDelivered);
    }

    void malformedAnswers_data() {
        QTest::addColumn<QByteArray>("answer");
        QTest::newRow("bad status line") << QByteArray("HTTP/1.1 OK 200\r\nContent-Length: 2\r\n\r\n{}");
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01 this is no http\r\n\r\n");
        QTest::newRow("body not json") << ok("<html>nope</html>");
    }
    void malformedAnswers() {
        QFETCH(QByteArray, answer);
        ScriptedServer server([answer](QTcpSocket *s, const auto &, int) { s->write(answer); });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.get("/options", cb); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("EBADRESPONSE"));
    }

    void closedMidBodyIsReset() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) {
            s->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"images\":");
            s->flush();
            s->disconnectFromHost();
        });
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.get("/options", cb); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("ECONNRESET"));
        QVERIFY(!out->error->neverDelivered);
        QCOMPARE(server.requests.size(), 1); // an answer had begun: no retry
    }

    void silentServerTimesOut() {
        ScriptedServer server([](QTcpSocket *, const auto &, int) {});
        ForgeClient client(server.url(), server.url());
        const auto out = await([&](JsonCallback cb) { client.get("/options", cb, 300); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("ETIMEDOUT"));
    }

    // The deadline covers the whole call, also the wait for a free connection: with every connection busy
    // with a long call, a short call in the queue times out on its own.
    void queuedCallTimesOut() {
        ScriptedServer server([](QTcpSocket *, const auto &, int) {});
        ForgeClient client(server.url(), server.url());
        QStringList codes;
        const auto record = [&](const QJsonDocument &, const std::optional<ForgeError> &error) {
            codes << (error ? error->code : QStringLiteral("answered"));
        };
        for (int i = 0; i < HttpClient::kMaxConnectionsPerOrigin; ++i)
            client.get("/progress", record, 60'000);
        client.get("/progress", record, 300);
        QTRY_COMPARE_WITH_TIMEOUT(codes.size(), 1, 20'000);
        QCOMPARE(codes.first(), QString("ETIMEDOUT"));
        QCOMPARE(server.accepts, HttpClient::kMaxConnectionsPerOrigin);
    }

    void unknownHost() {
        const QUrl url(
            QStringLiteral("http://nonexistent-host.invalid:7860/sdapi/v1")); // RFC 6761: never resolves
        ForgeClient client(url, url);
        const auto out = await([&](JsonCallback cb) { client.get("/options", cb, 30'000); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("ENOTFOUND"));
        QVERIFY(out->error->neverDelivered);
    }

    void refusedPort() {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(probe.serverPort()));
        probe.close();
        ForgeClient client(url, url);
        const auto out = await([&](JsonCallback cb) { client.postOnce("/txt2img", {}, cb, 5'000); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("ECONNREFUSED"));
        QVERIFY(out->error->neverDelivered);
    }

    void keepAliveReuse() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int i) {
            s->write(ok("{\"n\":" + QByteArray::number(i) + "}"));
        });
        ForgeClient client(server.url(), server.url());
        for (int i = 0; i < 3; ++i) {
            const auto out = await([&](JsonCallback cb) {
                i == 1 ? client.postOnce("/txt2img", {{"n", i}}, cb, 5'000) : client.get("/progress", cb);
            });
            QVERIFY(!out->error);
            QCOMPARE(out->doc.object().value("n").toInt(), i);
        }
        QCOMPARE(server.accepts, 1);
        QCOMPARE(server.requests.size(), 3);
    }

    void connectionCapQueuesTheRest() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) {
            QTimer::singleShot(100, s, [s] { s->write(ok("{}")); });
        });
        ForgeClient client(server.url(), server.url());
        const int calls = HttpClient::kMaxConnectionsPerOrigin + 3;
        int answered = 0;
        for (int i = 0; i < calls; ++i)
            client.get("/progress", [&](const QJsonDocument &, const std::optional<ForgeError> &error) {
                answered += error ? 0 : 1;
            });
        QTRY_COMPARE_WITH_TIMEOUT(answered, calls, 15'000);
        QCOMPARE(server.accepts, HttpClient::kMaxConnectionsPerOrigin);
    }

    // The server closed the idle connection before the generation (as uvicorn does after its keep-alive
    // timeout, without a Connection: close): the client notices and opens a new connection, and the body
    // reaches the server exactly once. "at once": the generation is sent from the previous answer's callback,
    // before the event loop has told the client about the close (the socket itself is checked).
    void postOnceAfterServerClosedIdleConnection_data() {
        QTest::addColumn<int>("waitMs");
        QTest::newRow("at once") << -1;
        QTest::newRow("after 100 ms") << 100;
    }
    void postOnceAfterServerClosedIdleConnection() {
        QFETCH(int, waitMs);
        ScriptedServer server([](QTcpSocket *s, const auto &, int i) {
            s->write(ok("{}"));
            if (i == 0) {
                s->flush();
                s->disconnectFromHost();
            }
        });
        ForgeClient client(server.url(), server.url());
        const QJsonObject body{{"prompt", "once"}};
        std::shared_ptr<Outcome> out;
        if (waitMs < 0) {
            out = await([&](JsonCallback cb) {
                client.get("/progress", [&client, body, cb](const QJsonDocument &, const auto &error) {
                    if (error)
                        return cb({}, error);
                    client.postOnce("/txt2img", body, cb, 5'000);
                });
            });
        } else {
            QVERIFY(!await([&](JsonCallback cb) { client.get("/progress", cb); })->error);
            QTest::qWait(waitMs);
            out = await([&](JsonCallback cb) { client.postOnce("/txt2img", body, cb, 5'000); });
        }
        QVERIFY2(!out->error, qPrintable(out->error ? out->error->message : QString()));
        QTest::qWait(200);
        QCOMPARE(server.countBodies(QJsonDocument(body).toJson(QJsonDocument::Compact)), 1);
        QCOMPARE(server.accepts, 2);
    }

    // The server drops the reused connection right after reading the generation, without answering (the
    // race with its keep-alive timeout): the call fails with ECONNRESET and the body is not sent again.
    void postOnceIsNeverResent() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int i) {
            if (i == 1)
                s->abort();
            else
                s->write(ok("{}"));
        });
        ForgeClient client(server.url(), server.url());
        QVERIFY(!await([&](JsonCallback cb) { client.get("/progress", cb); })->error);
        const QJsonObject body{{"prompt", "twice?"}};
        const auto out = await([&](JsonCallback cb) { client.postOnce("/txt2img", body, cb, 5'000); });
        QVERIFY(out->error);
        QCOMPARE(out->error->code, QString("ECONNRESET"));
        QVERIFY(!out->error->neverDelivered);
        QTest::qWait(300);
        QCOMPARE(server.countBodies(QJsonDocument(body).toJson(QJsonDocument::Compact)), 1);
        QCOMPARE(server.accepts, 1);
        QCOMPARE(out->calls, 1);
    }

    // The same drop on an ordinary call: it goes out once more on a fresh connection and succeeds.
    void ordinaryCallRetriedOnceOnFreshConnection() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int i) {
            if (i == 1)
                s->abort();
            else
                s->write(ok("{\"ok\":true}"));
        });
        ForgeClient client(server.url(), server.url());
        QVERIFY(!await([&](JsonCallback cb) { client.get("/progress", cb); })->error);
        const auto out = await([&](JsonCallback cb) { client.post("/png-info", {{"image", "x"}}, cb); });
        QVERIFY2(!out->error, qPrintable(out->error ? out->error->message : QString()));
        QVERIFY(out->doc.object().value("ok").toBool());
        QCOMPARE(server.requests.size(), 3);
        QCOMPARE(server.requests.at(2).connection, 2);
    }

    // A generation does not go out on a connection idle for kOnceMaxIdleMs or longer; other calls may.
    void postOnceSkipsLongIdleConnection() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) { s->write(ok("{}")); });
        ForgeClient client(server.url(), server.url());
        QVERIFY(!await([&](JsonCallback cb) { client.get("/progress", cb); })->error);
        QTest::qWait(int(HttpClient::kOnceMaxIdleMs) + 200);
        QVERIFY(!await([&](JsonCallback cb) { client.get("/progress", cb); })->error);
        QCOMPARE(server.accepts, 1);
        QTest::qWait(int(HttpClient::kOnceMaxIdleMs) + 200);
        QVERIFY(!await([&](JsonCallback cb) { client.postOnce("/txt2img", {}, cb, 5'000); })->error);
        QCOMPARE(server.accepts, 2);
        QCOMPARE(server.requests.at(2).connection, 2);
    }

    void basicAuthUpFront() {
        ScriptedServer server([](QTcpSocket *s, const auto &, int) { s->write(ok("{}")); });
        const QUrl url = server.url(QStringLiteral("forge:s%40cret"));
        ForgeClient client(url, url);
        QVERIFY(!await([&](JsonCallback cb) { client.postOnce("/txt2img", {}, cb, 5'000); })->error);
        QCOMPARE(server.requests.size(), 1); // no 401 round trip
        const QByteArray head = server.requests.first().head;
        QVERIFY2(head.contains("\r\nAuthorization: Basic " + QByteArray("forge:s@cret").toBase64() + "\r\n"),
                 head.constData());
        QVERIFY(head.startsWith("POST /sdapi/v1/txt2img HTTP/1.1\r\n"));
        QVERIFY(!head.contains("cret@"));
    }

    // An https SD_API_HOST: TLS to a local server whose certificate the test trusts, with keep-alive and
    // Basic auth as over plain HTTP.
    void httpsBackend() {
        const QSslCertificate certificate(testData("loopback-tls.crt"));
        QVERIFY(!certificate.isNull());
        QSslConfiguration trusting = QSslConfiguration::defaultConfiguration();
        trusting.addCaCertificate(certificate);
        QSslConfiguration::setDefaultConfiguration(trusting);
        auto *tls = new QSslServer;
        QSslConfiguration serving = QSslConfiguration::defaultConfiguration();
        serving.setLocalCertificate(certificate);
        serving.setPrivateKey(QSslKey(testData("loopback-tls.key"), QSsl::Rsa));
        tls->setSslConfiguration(serving);
        ScriptedServer server([](QTcpSocket *s, const auto &, int) { s->write(ok("{\"tls\":true}")); }, tls);
        const QUrl url = server.url(QStringLiteral("forge:pw"));
        QCOMPARE(url.scheme(), QString("https"));
        ForgeClient client(url, url);
        for (int i = 0; i < 2; ++i) {
            const auto out = await([&](JsonCallback cb) { client.get("/options", cb); });
            QVERIFY2(!out->error, qPrintable(out->error ? out->error->message : QString()));
            QVERIFY(out->doc.object().value("tls").toBool());
        }
        QCOMPARE(server.accepts, 1);
        QVERIFY(server.requests.first().head.contains("Authorization: Basic " +
                                                      QByteArray("forge:pw").toBase64()));
    }
};

QTEST_GUILESS_MAIN(ForgeHttpTest)
#include "tst_forgehttp.moc"
