#pragma once
// One Engine.IO session: owns the current transport, buffers outgoing packets until the transport can take
// them, runs the heartbeat (server ping, client pong within pingTimeout) and performs the upgrade from
// polling to WebSocket by swapping transports. Its life is one state machine, as in engine.io's socket.ts:
// readyState runs Opening → Open → Closing → Closed, and upgradeState None → Probing → Probed → None beside
// it.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/HandshakeInfo.h"
#include "server/realtime/Transport.h"
#include "shared/realtime/EnginePacket.h"

#include <QBasicTimer>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>

namespace nav::realtime {

class WebSocketTransport;

class EngineSession final : public QObject, private Transport::Listener {
    Q_OBJECT
public:
    enum class ReadyState {
        Opening, // created; the handshake packet is not queued yet
        Open,    // heartbeat running, packets flow
        Closing, // close() is flushing what is buffered and closing the transport
        Closed,  // closed() emitted; everything is dropped from now on
    };
    enum class UpgradeState {
        None,    // no WebSocket waiting to take over
        Probing, // a WebSocket is attached, its 2probe not seen yet
        Probed,  // 3probe answered, waiting for 5; waiting polls get a noop and nothing else
    };

    EngineSession(const QString &id, Transport *transport, const HandshakeInfo &handshake,
                  const EngineSettings &settings, QObject *parent = nullptr);
    ~EngineSession() override;

    QString id() const { return m_id; }
    const HandshakeInfo &handshake() const { return m_handshake; }
    const EngineSettings &settings() const { return m_settings; }
    Transport *transport() const { return m_transport; }
    ReadyState readyState() const { return m_readyState; }
    bool isUpgrading() const { return m_upgradeState != UpgradeState::None; }

    // Queues the handshake packet 0{...} and opens the session; called once by EngineServer before anything
    // else.
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

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void transportPacket(Transport *from, const EnginePacket &packet) override;
    void transportDrain(Transport *from) override;
    void transportClosed(Transport *from, const QString &reason) override;
    void transportError(Transport *from, const QString &reason) override;
    void setTransport(Transport *transport);
    void sendPacket(const EnginePacket &packet);
    void flush();
    void onPacket(const EnginePacket &packet);
    void onProbePacket(const EnginePacket &packet);
    void finishUpgrade();
    void abortUpgrade();
    void schedulePing();
    void onClose(const QString &reason);
    bool closingOrClosed() const {
        return m_readyState == ReadyState::Closing || m_readyState == ReadyState::Closed;
    }

    QString m_id;
    HandshakeInfo m_handshake;
    EngineSettings m_settings;
    Transport *m_transport = nullptr;
    ReadyState m_readyState = ReadyState::Opening;
    UpgradeState m_upgradeState = UpgradeState::None;
    WebSocketTransport *m_probe = nullptr; // the WebSocket being upgraded to, while upgradeState is not None
    QList<EnginePacket> m_buffer;
    qint64 m_bufferedBytes = 0;
    // Basic timers, not QTimer objects: an idle session is one of thousands, and each QTimer is a QObject
    // with a signal connection.
    QBasicTimer m_pingTimer;
    QBasicTimer m_pongTimer;
    QDeadlineTimer m_pongDeadline;
    QBasicTimer m_upgradeTimer;
};

} // namespace nav::realtime
