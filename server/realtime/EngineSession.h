#pragma once
// One Engine.IO session: owns the current transport, buffers outgoing packets until the transport can take
// them, runs the heartbeat (server ping, client pong within pingTimeout) and performs the upgrade from
// polling to WebSocket by swapping transports.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/HandshakeInfo.h"
#include "shared/realtime/EnginePacket.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace nav::realtime {

class Transport;
class WebSocketTransport;

class EngineSession : public QObject {
    Q_OBJECT
public:
    EngineSession(const QString &id, Transport *transport, const HandshakeInfo &handshake,
                  const EngineSettings &settings, QObject *parent = nullptr);
    ~EngineSession() override;

    QString id() const { return m_id; }
    const HandshakeInfo &handshake() const { return m_handshake; }
    const EngineSettings &settings() const { return m_settings; }
    Transport *transport() const { return m_transport; }
    bool isUpgrading() const { return m_probe != nullptr; }
    bool isOpen() const { return !m_closed; }

    // Queues the handshake packet 0{...}; called once by EngineServer before anything else.
    void sendOpen(const QByteArray &json);
    // Queues a message for the client (text as UTF-8, or binary).
    void sendMessage(const QByteArray &data, bool binary = false);
    // Closes from the server side; emits closed() once.
    void close(const QString &reason = QStringLiteral("forced close"));
    // Closes the session if its pong is overdue (the timer may not have run yet); false when closed.
    bool checkHeartbeat();
    // Starts the upgrade to this WebSocket (the client will send 2probe, then 5). Takes ownership.
    void startUpgrade(WebSocketTransport *probe);

signals:
    void message(const QByteArray &data, bool binary);
    void closed(const QString &reason);
    void upgraded();

private:
    void setTransport(Transport *transport);
    void sendPacket(const EnginePacket &packet);
    void flush();
    void onPacket(const EnginePacket &packet);
    void onProbePacket(const EnginePacket &packet);
    void finishUpgrade();
    void abortUpgrade();
    void schedulePing();
    void onClose(const QString &reason);

    QString m_id;
    HandshakeInfo m_handshake;
    EngineSettings m_settings;
    Transport *m_transport = nullptr;
    WebSocketTransport *m_probe = nullptr; // the WebSocket being upgraded to
    bool m_probed = false;                 // 2probe seen: waiting polls get a noop
    QList<EnginePacket> m_buffer;
    qint64 m_bufferedBytes = 0;
    QTimer m_pingTimer;
    QTimer m_pongTimer;
    QDeadlineTimer m_pongDeadline;
    QTimer m_upgradeTimer;
    bool m_closed = false;
};

} // namespace nav::realtime
