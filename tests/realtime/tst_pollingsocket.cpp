// Issue 12, defect 3: PollingTransport connected a new slot to the `disconnected` signal of the keep-alive
// socket for every poll, so a long-lived polling client grew the server's connection list without bound.
// An in-process EngineServer serves 60 polls on one keep-alive connection; afterwards the server-side socket
// may carry only a handful of `disconnected` receivers.
#include "server/http/GuardedTcpServer.h"
#include "server/realtime/EngineServer.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest>

using namespace nav::realtime;

namespace {

// QObject::receivers() is protected; a member pointer taken through a derived class may call it on any
// QObject (the member belongs to QObject).
struct ReceiverAccess : QObject {
    using QObject::receivers;
};

int disconnectedReceivers(QObject *socket) {
    int (QObject::*receivers)(const char *) const = &ReceiverAccess::receivers;
    return (socket->*receivers)(SIGNAL(disconnected()));
}

// Sends one request and waits for one complete response (Content-Length framed); returns its body.
QByteArray roundTrip(QTcpSocket &socket, const QByteArray &request) {
    socket.write(request);
    QByteArray buffer;
    qsizetype bodyStart = -1;
    qint64 length = -1;
    const bool complete = QTest::qWaitFor(
        [&] {
            buffer += socket.readAll();
            if (bodyStart < 0 && (bodyStart = buffer.indexOf("\r\n\r\n")) >= 0) {
                bodyStart += 4;
                const auto m =
                    QRegularExpression("Content-Length: (\\d+)", QRegularExpression::CaseInsensitiveOption)
                        .match(QString::fromLatin1(buffer.left(bodyStart)));
                length = m.hasMatch() ? m.captured(1).toLongLong() : 0;
            }
            return bodyStart >= 0 && buffer.size() >= bodyStart + length;
        },
        10000);
    return complete ? buffer.mid(bodyStart, length) : QByteArray();
}

} // namespace

class PollingSocketTest : public QObject {
    Q_OBJECT
private slots:
    void pollsOnOneConnectionDoNotPileUpSlots() {
        EngineSettings settings;
        settings.pingIntervalMs = 30; // every poll is answered by the next ping
        settings.pingTimeoutMs = 5000;
        EngineServer server(settings);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        QTcpSocket polls, posts;
        polls.connectToHost(QHostAddress::LocalHost, server.port());
        posts.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(polls.waitForConnected(3000) && posts.waitForConnected(3000));
        const QByteArray open =
            roundTrip(polls, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
        const QString sid =
            QRegularExpression("\"sid\":\"([^\"]+)\"").match(QString::fromLatin1(open)).captured(1);
        QVERIFY2(!sid.isEmpty(), open.constData());
        const QByteArray poll =
            "GET /socket.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() + " HTTP/1.1\r\nHost: x\r\n\r\n";
        const QByteArray pong =
            "POST /socket.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() +
            " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\n3";
        for (int i = 0; i < 60; ++i) {
            QCOMPARE(roundTrip(polls, poll), QByteArray("2")); // a ping
            QCOMPARE(roundTrip(posts, pong), QByteArray("ok"));
        }
        // The server side of the polling connection.
        QTcpSocket *serverSide = nullptr;
        for (auto *tcp : server.findChildren<nav::http::GuardedTcpServer *>())
            for (auto *socket : tcp->findChildren<QTcpSocket *>())
                if (socket->peerPort() == polls.localPort())
                    serverSide = socket;
        QVERIFY(serverSide);
        const int receivers = disconnectedReceivers(serverSide);
        QVERIFY2(receivers < 8, qPrintable(QStringLiteral("%1 receivers after 60 polls").arg(receivers)));
    }
};

QTEST_GUILESS_MAIN(PollingSocketTest)
#include "tst_pollingsocket.moc"
