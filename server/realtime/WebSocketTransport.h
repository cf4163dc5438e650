#pragma once
// Engine.IO over one WebSocket: each packet is one frame, text packets as text frames and binary messages as
// binary frames. Frames go to the socket at once; while a remainder is unsent the transport is not writable,
// so packets queue in the session, whose limits close a client that stops reading.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/Transport.h"

namespace nav::realtime {

class WebSocketConnection;

class WebSocketTransport final : public Transport {
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
    void onText(const QByteArray &text);
    void onBinary(const QByteArray &bytes);
    void finish(const QString &reason);

    WebSocketConnection *m_connection;
    qint64 m_maxBufferedBytes;
    bool m_finished = false;
};

} // namespace nav::realtime
