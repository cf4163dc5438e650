// Fuzz target for the RFC 6455 frame parser every WebSocket client on the realtime port reaches
// (server/realtime/WebSocketFrames). Besides "never crash, never hang":
//  - the events do not depend on how the bytes are split into reads;
//  - an error is always the last event, a close ends the input, and nothing follows either;
//  - no message exceeds the limit, every text message is valid UTF-8, control payloads stay within 125
//    bytes, and the parser never holds more than one message plus one control frame.
#include "server/realtime/WebSocketFrames.h"
#include "tests/fuzz/FuzzCheck.h"

using namespace nav::realtime::ws;
using nav::fuzz::check;

namespace {

constexpr qint64 kMaxMessage = 4096;

bool sameEvents(const QList<FrameEvent> &a, const QList<FrameEvent> &b) {
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].payload != b[i].payload || a[i].closeCode != b[i].closeCode)
            return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    // The first byte chooses the read size of the split feed.
    const qsizetype chunk = 1 + data[0] % 23;
    const QByteArray input = nav::fuzz::bytesOf(data + 1, size - 1);

    FrameParser whole(kMaxMessage);
    const QList<FrameEvent> once = whole.feed(input.constData(), input.size());

    FrameParser split(kMaxMessage);
    QList<FrameEvent> pieces;
    for (qsizetype pos = 0; pos < input.size(); pos += chunk) {
        pieces += split.feed(input.constData() + pos, qMin(chunk, input.size() - pos));
        check(split.bufferedBytes() <= kMaxMessage + 125);
    }
    check(sameEvents(once, pieces));
    check(whole.finished() == split.finished());

    for (qsizetype i = 0; i < once.size(); ++i) {
        const FrameEvent &e = once[i];
        switch (e.kind) {
        case FrameEvent::Kind::Error:
        case FrameEvent::Kind::Close:
            check(i == once.size() - 1 && whole.finished());
            if (e.kind == FrameEvent::Kind::Error)
                check(e.closeCode == CloseCode::ProtocolError || e.closeCode == CloseCode::InvalidPayload ||
                      e.closeCode == CloseCode::MessageTooBig);
            else
                check(e.closeCode == CloseCode::NoStatus || isValidCloseCode(e.closeCode));
            break;
        case FrameEvent::Kind::Text:
            check(isValidUtf8(e.payload));
            [[fallthrough]];
        case FrameEvent::Kind::Binary:
            check(e.payload.size() <= kMaxMessage);
            break;
        case FrameEvent::Kind::Ping:
        case FrameEvent::Kind::Pong:
            check(e.payload.size() <= 125);
            break;
        }
    }
    // Server frames of the same payloads have the advertised length.
    for (const FrameEvent &e : once) {
        const QByteArray frame = encodeFrame(Opcode::Binary, e.payload);
        check(frame.size() - e.payload.size() == (e.payload.size() < 126       ? 2
                                                  : e.payload.size() <= 0xFFFF ? 4
                                                                               : 10));
    }
    return 0;
}
