#pragma once
// Engine.IO over one WebSocket: each packet is one frame, text packets as text frames and binary messages as
// binary frames. Outgoing bytes not yet written are counted so that a client that stops reading is dropped
// instead of growing the socket buffer without bound.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/Transport.h"

class QWebSocket;

namespace nav::realtime {

class WebSocketTransport final : public Transport {
    Q_OBJECT
public:
    // Takes ownership of the socket.
    WebSocketTransport(QWebSocket *socket, const EngineSettings &settings, QObject *parent = nullptr);
    ~WebSocketTransport() override;

    QString name() const override { return QStringLiteral("websocket"); }
    bool writable() const override;
    void send(const QList<EnginePacket> &packets) override;
    void close() override;

    // Sends one packet at once, bypassing the session buffer (used during the upgrade probe).
    void sendNow(const EnginePacket &packet);

private:
    void onText(const QString &text);
    void onBinary(const QByteArray &bytes);
    void finish(const QString &reason);

    QWebSocket *m_socket;
    EngineSettings m_settings;
    qint64 m_unwritten = 0; // payload bytes handed to the socket and not yet reported written
    bool m_writing = false; // a batch was handed to the socket and is not written yet
    bool m_finished = false;
};

} // namespace nav::realtime
