#pragma once
// A minimal Socket.IO v5 client over WebSocket only (Engine.IO v4), for the admin window: connects to the
// default namespace with an optional auth payload, answers pings, reports events as signals, and reconnects
// with exponential backoff after a lost connection (not after a refused one, as socket.io-client does).
#include "shared/realtime/SocketIoDecoder.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace nav::realtime {

class SocketIoClient : public QObject {
    Q_OBJECT
public:
    explicit SocketIoClient(QObject *parent = nullptr);
    ~SocketIoClient() override;

    // Base URL of the server, e.g. http://localhost:3334 (https becomes wss). The path is /socket.io/.
    void setUrl(const QUrl &url) { m_url = url; }
    // Sent with the namespace CONNECT, e.g. {"token": "<jwt>"}.
    void setAuth(const QJsonObject &auth) { m_auth = auth; }
    // Delay before the first reconnection attempt and its upper bound (doubling in between).
    void setReconnectDelays(int initialMs, int maxMs);

    void open();
    void close();
    bool isConnected() const { return m_connected; }
    QString socketId() const { return m_sid; }

    void emitEvent(const QString &event, const QJsonArray &args = {});

signals:
    void connected();
    void disconnected(const QString &reason);
    // The server refused the namespace CONNECT (e.g. "Not authorized"); no reconnection follows.
    void connectError(const QString &message, const QJsonValue &data);
    void event(const QString &name, const QJsonArray &args);

private:
    void onTextMessage(const QString &text);
    void onBinaryMessage(const QByteArray &bytes);
    void onDecoded(SocketIoDecoder::Result result);
    void onEngineOpen(const QByteArray &json);
    void onSocketIoPacket(const SocketIoPacket &packet);
    void onSocketClosed();
    void sendEngine(const QByteArray &packet);
    void scheduleReconnect();
    void dropConnection(const QString &reason);

    QUrl m_url;
    QJsonObject m_auth;
    QWebSocket m_socket;
    SocketIoDecoder m_decoder;
    QTimer m_reconnectTimer;
    QTimer m_heartbeatTimer; // no ping within pingInterval + pingTimeout: the connection is dead
    int m_heartbeatMs = 45'000;
    int m_initialDelayMs = 1000;
    int m_maxDelayMs = 5000;
    int m_attempts = 0;
    bool m_wanted = false;  // open() called and not close()
    bool m_refused = false; // CONNECT_ERROR received: stay down
    bool m_connected = false;
    QString m_sid;
};

} // namespace nav::realtime
