#pragma once
// The Engine.IO v4 server on its own port: answers the handshake (polling GET or a WebSocket without sid),
// finds the session of every later request, refuses bad ones with the Engine.IO error codes, and hands
// WebSocket upgrades to their session. The port is served on raw descriptors (http::RawHttpListener and
// http::RawHttpConnection, as the API port is): every request of every connection comes to
// handleRequest(); an upgrade is answered here (see WebSocketHandshake) and its descriptor handed from the
// HTTP connection to a WebSocketConnection. Anything off the Engine.IO paths gets 404.
#include "server/http/RawHttpConnection.h"
#include "server/realtime/EngineSettings.h"
#include "server/realtime/HandshakeInfo.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QUrl>

namespace nav::http {
class RawHttpListener;
}

namespace nav::realtime {

class EngineSession;
class Transport;
class WebSocketConnection;

class EngineServer final : public QObject, private nav::http::RawHttpConnection::RequestHandler {
    Q_OBJECT
public:
    explicit EngineServer(const EngineSettings &settings, QObject *parent = nullptr);
    ~EngineServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    QString errorString() const { return m_error; }
    int sessionCount() const { return static_cast<int>(m_sessions.size()); }
    // Open connections on the port (HTTP keep-alive and WebSocket), as counted against HTTP_MAX_CONNECTIONS.
    int openConnections() const;
    // Ends every session with an Engine.IO close (a close packet on polling, a close frame on WebSocket), not
    // a socket.io disconnect, so clients reconnect by themselves once the server is back.
    void closeAll();
    // Open sessions by the name of their current transport ("polling", "websocket").
    QHash<QString, int> sessionsByTransport() const;
    const EngineSettings &settings() const { return m_settings; }

signals:
    void connection(nav::realtime::EngineSession *session);

private:
    void handleRequest(const nav::http::HttpRequest &request, const QHostAddress &peer,
                       nav::http::PendingAnswer answer) override;
    void deferPoll(const QString &sid, nav::http::PendingAnswer &&answer);
    void handleUpgrade(const nav::http::HttpRequest &request, const QUrl &url, const QHostAddress &peer,
                       nav::http::PendingAnswer &&answer);
    void startWebSocket(WebSocketConnection *connection, const nav::http::HttpRequest &request,
                        const QUrl &url, const QHostAddress &peer);
    bool pathMatches(const QString &path) const;
    HandshakeInfo handshakeOf(const nav::http::HttpRequest &request, const QString &path,
                              const QHostAddress &peer) const;
    EngineSession *createSession(Transport *transport, const HandshakeInfo &handshake);
    QByteArray openPacket(const QString &sid, bool canUpgrade) const;

    EngineSettings m_settings;
    QHash<QString, EngineSession *> m_sessions;
    nav::http::ConnectionLimits m_limits; // the port's limits (body cap RT_MAX_PAYLOAD)
    nav::http::RawHttpListener *m_listener = nullptr;
    QString m_error;
};

} // namespace nav::realtime
