#pragma once
// Engine.IO over one WebSocket: each packet is one frame, text packets as text frames and binary messages as
// binary frames. Frames go to the socket at once; while a remainder is unsent the transport is not writable,
// so packets queue in the session, whose limits close a client that stops reading.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/Transport.h"
#include "server/realtime/WebSocketConnection.h"

namespace nav::realtime {

class WebSocketTransport final : public Transport, private WebSocketConnection::Receiver {
    Q_OBJECT
public:
    // Takes ownership of the connection.
    WebSocketTransport(WebSocketConnection *connection, const EngineSettings &settings,
                       QObject *parent = nullptr);
    ~WebSocketTransport() override;

    QString name() const override { return QStringLiteral("websocket"); }
    bool writable() const override;
    void send(const QList<EnginePacket> &packets) override;
    void close() override;

    // Sends one packet at once, bypassing the session buffer (used during the upgrade probe).
    void sendNow(const EnginePacket &packet);

private:
    void onTextMessage(const QByteArray &text) override;
    void onBinaryMessage(const QByteArray &bytes) override;
    void onDrained() override;
    void onClosed() override;
    void finish(const QString &reason);

    WebSocketConnection *m_connection;
    qint64 m_maxBufferedBytes;
    bool m_finished = false;
};

} // namespace nav::realtime
