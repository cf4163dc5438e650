#pragma once
// The Engine.IO v4 server on its own port: answers the handshake (polling GET or a WebSocket without sid),
// finds the session of every later request, refuses bad ones with the Engine.IO error codes, and hands
// WebSocket upgrades to their session. QHttpServer 6.4 gives every request to handleRequest(), upgrade
// requests included; an upgrade is answered here (see WebSocketHandshake) and its descriptor taken away from
// Qt into a WebSocketConnection, so no QTcpSocket or QWebSocket stays behind for an open WebSocket.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/HandshakeInfo.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerResponder>

namespace nav::http {
class GuardedTcpServer;
}

namespace nav::realtime {

class EngineSession;
class Transport;
class WebSocketConnection;

class EngineServer final : public QAbstractHttpServer {
    Q_OBJECT
public:
    explicit EngineServer(const EngineSettings &settings, QObject *parent = nullptr);
    ~EngineServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    QString errorString() const { return m_error; }
    int sessionCount() const { return static_cast<int>(m_sessions.size()); }
    // Ends every session with an Engine.IO close (a close packet on polling, a close frame on WebSocket), not
    // a socket.io disconnect, so clients reconnect by themselves once the server is back.
    void closeAll();
    // Open sessions by the name of their current transport ("polling", "websocket").
    QHash<QString, int> sessionsByTransport() const;
    const EngineSettings &settings() const { return m_settings; }

signals:
    void connection(nav::realtime::EngineSession *session);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void deferPoll(const QString &sid, QHttpServerResponder &&responder);
    void handleUpgrade(const QHttpServerRequest &request, QTcpSocket *socket);
    void startWebSocket(WebSocketConnection *connection, const QHttpServerRequest &request);
    bool pathMatches(const QString &path) const;
    HandshakeInfo handshakeOf(const QHttpServerRequest &request) const;
    EngineSession *createSession(Transport *transport, const HandshakeInfo &handshake);
    QByteArray openPacket(const QString &sid, bool canUpgrade) const;

    EngineSettings m_settings;
    QHash<QString, EngineSession *> m_sessions;
    nav::http::GuardedTcpServer *m_tcp = nullptr;
    QString m_error;
    QTcpSocket *m_answeredUpgrade = nullptr; // the upgrade request missingHandler must leave alone
};

} // namespace nav::realtime
