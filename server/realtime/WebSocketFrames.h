#pragma once
// RFC 6455 framing for the server side of a WebSocket: an incremental parser of client frames that enforces
// the protocol rules (masking, no extensions, control frame limits, fragmentation, UTF-8 text, a message size
// limit) and the encoder of server frames (never masked). Pure byte handling, no I/O, so that it can be
// tested and fuzzed on its own; WebSocketConnection drives it on a socket.
#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace nav::realtime::ws {

enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Close status codes (RFC 6455 section 7.4.1).
namespace CloseCode {
constexpr quint16 Normal = 1000;
constexpr quint16 GoingAway = 1001;
constexpr quint16 ProtocolError = 1002;
constexpr quint16 NoStatus = 1005; // never sent: a close frame without a code
constexpr quint16 InvalidPayload = 1007;
constexpr quint16 PolicyViolation = 1008;
constexpr quint16 MessageTooBig = 1009;
} // namespace CloseCode

// True for the codes a peer may put in a close frame.
bool isValidCloseCode(quint16 code);
// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(QByteArrayView bytes);

// One server frame with the whole payload (FIN set, no mask).
QByteArray encodeFrame(Opcode opcode, QByteArrayView payload);
// A close frame carrying code and reason (the reason is cut to fit the 125-byte control frame limit).
QByteArray encodeClose(quint16 code, QByteArrayView reason = {});

// What the parser delivers: a complete message, a control frame, or the protocol error that ends the
// connection.
struct FrameEvent {
    enum class Kind { Text, Binary, Ping, Pong, Close, Error };
    Kind kind;
    QByteArray payload;    // the message, the ping/pong payload, or the close reason (UTF-8)
    quint16 closeCode = 0; // Close: the peer's code (NoStatus when none); Error: the code to close with
};

class FrameParser {
public:
    explicit FrameParser(qint64 maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) {}

    // Consumes bytes and returns the events completed in them, in order. After an Error event (always the
    // last one returned) or a Close, the parser ignores all further input.
    QList<FrameEvent> feed(const char *data, qsizetype size);

    bool finished() const { return m_finished; }
    // Bytes held for an incomplete message or frame (zero between messages).
    qsizetype bufferedBytes() const { return m_message.size() + m_control.size(); }

private:
    bool takeHeader(QList<FrameEvent> &events);
    void finishFrame(QList<FrameEvent> &events);
    void fail(QList<FrameEvent> &events, quint16 code, const char *why);

    qint64 m_maxMessageBytes;
    // The header of the current frame, collected byte by byte until complete (2 to 14 bytes).
    unsigned char m_header[14] = {};
    int m_headerSize = 0;
    bool m_inPayload = false;
    // The current frame.
    Opcode m_opcode = Opcode::Continuation;
    bool m_fin = false;
    unsigned char m_mask[4] = {};
    quint64 m_remaining = 0; // payload bytes of the current frame still to come
    quint64 m_maskOffset = 0;
    // The message being assembled from data frames, and the current control frame's payload.
    Opcode m_messageOpcode = Opcode::Continuation; // Text or Binary while a fragmented message is open
    QByteArray m_message;
    QByteArray m_control;
    bool m_finished = false;
};

} // namespace nav::realtime::ws
