// Fuzz target for the Engine.IO and Socket.IO parsers in shared/realtime. Besides "never crash, never hang",
// it checks that whatever decodes also re-encodes to something that decodes to the same packets.
// Built with libFuzzer (clang, NAVIGATOR_BUILD_FUZZERS; scripts/sanitize.sh) or with fuzz_driver.cpp (any
// compiler).
#include "shared/realtime/EnginePacket.h"
#include "shared/realtime/SocketIoBinary.h"
#include "shared/realtime/SocketIoDecoder.h"
#include "shared/realtime/SocketIoPacket.h"

#include <cstdint>
#include <cstdlib>

using namespace nav::realtime;

namespace {

void check(bool condition) {
    if (!condition)
        std::abort();
}

void fuzzEngine(const QByteArray &input) {
    if (const auto packets = EngineCodec::decodePayload(input)) {
        const auto again = EngineCodec::decodePayload(EngineCodec::encodePayload(*packets));
        check(again && *again == *packets);
    }
    if (const auto packet = EngineCodec::decodeText(input))
        check(EngineCodec::encodeText(*packet) == input);
}

void fuzzSocketIo(const QByteArray &input) {
    const auto header = SocketIoCodec::decode(input);
    if (header) {
        SocketIoPacket packet = header->packet;
        packet.attachments = QList<QByteArray>(header->expectedAttachments, QByteArray("x"));
        const auto again = SocketIoCodec::decode(SocketIoCodec::encode(packet));
        check(again.has_value());
        SocketIoBinary::reconstruct(packet.data, packet.attachments);
        check(again->packet.type == packet.type && again->packet.nsp == packet.nsp &&
              again->packet.id == packet.id && again->packet.data == packet.data &&
              again->expectedAttachments == header->expectedAttachments);
    }
    // The same bytes as a stream of Engine.IO messages: \x1e splits, a leading 'b' marks binary.
    SocketIoDecoder decoder;
    for (const QByteArray &part : input.split('\x1e')) {
        const auto result = part.startsWith('b') ? decoder.addBinary(part.mid(1)) : decoder.addText(part);
        if (result == SocketIoDecoder::Result::Error)
            decoder.reset();
        else if (result == SocketIoDecoder::Result::Packet)
            decoder.take();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    fuzzEngine(input);
    fuzzSocketIo(input);
    return 0;
}
