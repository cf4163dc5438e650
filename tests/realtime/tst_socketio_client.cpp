// The shared SocketIoClient (used by the admin window) against rt-testserver: connect with and without auth,
// events, refusal, heartbeat, and reconnection after a server restart.
#include "shared/realtime/SocketIoClient.h"
#include "tests/support/TestSupport.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace nav::test;
using nav::realtime::SocketIoClient;

namespace {

struct Server {
    ChildProcess process;
    quint16 port = 0;
    quint16 control = 0;

    bool start(const QStringList &extra = {}) {
        if (!process.start(binPath("rt-testserver"), QStringList{"--control-port", "0"} + extra))
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
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)); }
    int send(const QJsonObject &body) const {
        return httpJson("POST", QUrl(QStringLiteral("http://127.0.0.1:%1/emit").arg(control)), body).status;
    }
};

} // namespace

class TestSocketIoClient : public QObject {
    Q_OBJECT
private slots:
    void connectsAndReceivesEvents() {
        Server server;
        QVERIFY(server.start({"--port", "0"}));
        SocketIoClient client;
        client.setUrl(server.url());
        QSignalSpy connected(&client, &SocketIoClient::connected);
        QSignalSpy events(&client, &SocketIoClient::event);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
        QVERIFY(!client.socketId().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 1, 10000);
        QCOMPARE(events.at(0).at(0).toString(), QString("connected"));
        QCOMPARE(
            server.send({{"to", "all"}, {"event", "models-refreshed"}, {"payload", QJsonObject{{"a", 1}}}}),
            200);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 2, 10000);
        QCOMPARE(events.at(1).at(0).toString(), QString("models-refreshed"));
        QCOMPARE(events.at(1).at(1).toJsonArray(), (QJsonArray{QJsonObject{{"a", 1}}}));
    }

    void authRoutesUserEvents() {
        Server server;
        QVERIFY(server.start({"--port", "0"}));
        SocketIoClient client;
        client.setUrl(server.url());
        client.setAuth({{"token", "admin:42:3"}});
        QSignalSpy connected(&client, &SocketIoClient::connected);
        QSignalSpy events(&client, &SocketIoClient::event);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 1, 10000);
        QCOMPARE(server.send({{"to", "job"}, {"id", "42"}, {"event", "mine"}, {"payload", QJsonObject{}}}),
                 200);
        QCOMPARE(server.send({{"to", "job"}, {"event", "for-admins"}, {"payload", QJsonObject{}}}), 200);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 3, 10000);
        QCOMPARE(events.at(1).at(0).toString(), QString("mine"));
        QCOMPARE(events.at(2).at(0).toString(), QString("for-admins"));
    }

    void refusedTokenGivesConnectErrorAndNoRetry() {
        Server server;
        QVERIFY(server.start({"--port", "0"}));
        SocketIoClient client;
        client.setUrl(server.url());
        client.setAuth({{"token", "garbage"}});
        client.setReconnectDelays(50, 100);
        QSignalSpy errors(&client, &SocketIoClient::connectError);
        QSignalSpy connected(&client, &SocketIoClient::connected);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
        QCOMPARE(errors.at(0).at(0).toString(), QString("Not authorized"));
        QTest::qWait(500); // a retry would have happened within this time (50-100 ms backoff)
        QCOMPARE(errors.count(), 1);
        QCOMPARE(connected.count(), 0);
    }

    void heartbeatKeepsIdleConnection() {
        Server server;
        QVERIFY(server.start({"--port", "0", "--ping-interval", "200", "--ping-timeout", "200"}));
        SocketIoClient client;
        client.setUrl(server.url());
        QSignalSpy connected(&client, &SocketIoClient::connected);
        QSignalSpy disconnected(&client, &SocketIoClient::disconnected);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
        QTest::qWait(1200); // idle for 6 ping intervals: pongs must keep the session open
        QCOMPARE(disconnected.count(), 0);
        QVERIFY(client.isConnected());
    }

    void reconnectsAfterServerRestart() {
        const quint16 port = freePort();
        auto server = std::make_unique<Server>();
        QVERIFY(server->start({"--port", QString::number(port)}));
        SocketIoClient client;
        client.setUrl(server->url());
        client.setReconnectDelays(100, 400);
        QSignalSpy connected(&client, &SocketIoClient::connected);
        QSignalSpy disconnected(&client, &SocketIoClient::disconnected);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
        server->process.kill();
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 10000);
        server = std::make_unique<Server>();
        QVERIFY(server->start({"--port", QString::number(port)}));
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, 20000);
        QVERIFY(client.isConnected());
    }
};

QTEST_MAIN(TestSocketIoClient)
#include "tst_socketio_client.moc"
