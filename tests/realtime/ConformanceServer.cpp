#include "tests/realtime/ConformanceServer.h"

#include "server/realtime/EngineServer.h"
#include "server/realtime/EngineSession.h"
#include "server/realtime/SocketIoNamespace.h"
#include "server/realtime/SocketIoServer.h"
#include "server/realtime/SocketIoSocket.h"

#include <QCoreApplication>
#include <QHostAddress>

#include <cstdio>

namespace nav::realtime {

int runConformanceServer(quint16 port) {
    const QString enginePath = QStringLiteral("/engine.io/");
    const QString socketIoPath = QStringLiteral("/socket.io/");
    EngineSettings settings;
    settings.paths = {enginePath, socketIoPath};
    settings.pingIntervalMs = 300;
    settings.pingTimeoutMs = 200;
    settings.maxPayload = 1'000'000;
    EngineServer engine(settings);
    if (!engine.listen(QHostAddress::Any, port)) {
        std::fprintf(stderr, "socketio-conformance: cannot listen on port %u: %s\n", port,
                     qPrintable(engine.errorString()));
        return 4;
    }
    QObject::connect(&engine, &EngineServer::connection, &engine, [enginePath](EngineSession *session) {
        if (session->handshake().path != enginePath)
            return;
        QObject::connect(
            session, &EngineSession::message, session,
            [session](const QByteArray &data, bool binary) { session->sendMessage(data, binary); });
    });

    SocketIoServer io(&engine, 1000, socketIoPath);
    for (const QString &name : {QStringLiteral("/"), QStringLiteral("/custom")}) {
        QObject::connect(io.of(name), &SocketIoNamespace::connection, &io, [](SocketIoSocket *socket) {
            socket->emitEvent(QStringLiteral("auth"), {socket->auth()});
            QObject::connect(socket, &SocketIoSocket::event, socket,
                             [socket](const QString &name, const QJsonArray &args,
                                      const QList<QByteArray> &attachments, qint64 ackId) {
                                 if (name == QLatin1String("message"))
                                     socket->emitEvent(QStringLiteral("message-back"), args, attachments);
                                 else if (name == QLatin1String("message-with-ack"))
                                     socket->sendAck(ackId, args, attachments);
                             });
        });
    }
    std::printf("socket.io conformance server on port %u (/engine.io/ echo, /socket.io/ suite handlers)\n",
                engine.port());
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace nav::realtime
