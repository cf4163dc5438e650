// The in-run baseline of bench_realtime: Qt's QWebSocketServer with nothing of Navigator on top. It accepts
// WebSocket clients on a free loopback port, greets each with one text message, echoes what they send, and
// keeps them open. Its memory per client is the floor any server built on QWebSocket starts from.
#include <QCoreApplication>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QWebSocketServer server(QStringLiteral("bare"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        std::fprintf(stderr, "cannot listen: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                             [socket](const QString &message) { socket->sendTextMessage(message); });
            QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            socket->sendTextMessage(QStringLiteral("hello"));
        }
    });
    std::printf("READY %d\n", server.serverPort());
    std::fflush(stdout);
    return app.exec();
}
