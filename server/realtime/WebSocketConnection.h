#pragma once
// One server-side WebSocket on a raw socket descriptor whose HTTP upgrade is already answered. It replaces
// QWebSocket on the realtime port to keep an idle connection small: no QTcpSocket and no QIODevice buffers,
// only a read notifier. Reads go through a stack buffer into FrameParser (which keeps just the partial
// frame); writes go straight to the socket and only an unsent remainder is kept, with a write notifier
// enabled while it lasts. Buffers are released as soon as they are empty.
//
// Closing: the side that closes sends a close frame; once it is written the socket is half-closed and the
// connection reads and drops input until the client closes too (or kCloseTimeoutMs passes), so that the
// close frame is not destroyed by a connection reset.
#include "server/http/ConnectionCaps.h"
#include "server/http/DirectNotifier.h"
#include "server/http/SocketOutput.h"
#include "server/realtime/WebSocketFrames.h"

#include <QObject>

namespace nav::realtime {

class WebSocketConnection final : public QObject, private nav::http::DirectNotifier::Owner {
    Q_OBJECT
public:
    // What the owner hears from the connection: plain virtual calls rather than signals, because every signal
    // connection costs about 100 bytes and a server holds thousands of idle connections.
    class Receiver {
    public:
        virtual void onTextMessage(const QByteArray &utf8) = 0;
        virtual void onBinaryMessage(const QByteArray &bytes) = 0;
        // A partial write has been completed: pendingBytes() is zero again.
        virtual void onDrained() = 0;
        // Called once, when the connection stops carrying messages (either side closed, or it failed).
        virtual void onClosed() = 0;

    protected:
        ~Receiver() = default;
    };

    // Takes ownership of descriptor (a connected TCP socket); messages over maxMessageBytes close it with
    // 1009.
    WebSocketConnection(int descriptor, qint64 maxMessageBytes, QObject *parent = nullptr);
    ~WebSocketConnection() override;

    bool isOpen() const { return m_state == State::Open; }
    // Bytes of frames accepted by send*() that the kernel has not taken yet.
    qsizetype pendingBytes() const { return m_output.pendingBytes(); }

    void sendText(QByteArrayView utf8);
    void sendBinary(QByteArrayView bytes);
    // Starts the closing handshake with this code and reason. No message is delivered afterwards.
    void close(quint16 code = ws::CloseCode::Normal, QByteArrayView reason = {});
    void setReceiver(Receiver *receiver) { m_receiver = receiver; }
    // Bytes that were read from the socket before this object took it over (they are parsed first).
    void receive(const char *data, qsizetype size);
    // The owner lets go: the connection is detached from its parent and receiver, finishes closing (with
    // 1001 Going Away if still open) and deletes itself.
    void release();
    // The connection's place under the port's connection caps, held until this object is destroyed.
    void holdTicket(nav::http::ConnectionTicket ticket) { m_ticket = std::move(ticket); }

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void socketReady(QSocketNotifier::Type type) override;
    enum class State {
        Open,    // messages flow
        Closing, // our close frame is queued or sent; input is dropped until the client closes
        Closed,  // the descriptor is closed
    };
    void onReadable();
    void onWritable();
    void queue(const QByteArray &frame);
    void handle(const ws::FrameEvent &event);
    void startClosing(const QByteArray &closeFrame);
    void finishClosingOnceFlushed();
    void lose(); // the socket failed or the client vanished
    void closeDescriptor();
    void leaveOpen();

    int m_fd;
    ws::FrameParser m_parser;
    Receiver *m_receiver = nullptr;
    nav::http::DirectNotifier m_readNotifier;
    nav::http::SocketOutput m_output; // unsent bytes of queued frames
    State m_state = State::Open;
    bool m_halfClosed = false;
    bool m_released = false;
    bool m_closedReported = false;
    int m_closeTimer = 0;
    nav::http::ConnectionTicket m_ticket;
};

} // namespace nav::realtime
