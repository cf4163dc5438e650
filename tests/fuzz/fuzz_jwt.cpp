// Fuzz target for JWT decoding (server/auth/JwtCodec): any bytes as a bearer token must be refused or
// accepted without crashing, and a token we sign for a fuzzed id verifies back to that id.
#include "server/auth/JwtCodec.h"
#include "tests/fuzz/FuzzCheck.h"

using namespace nav;
using nav::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const auth::JwtCodec codec(QByteArrayLiteral("fuzz-secret"));
    const QByteArray input = fuzz::bytesOf(data, size);
    const auto verdict = codec.verify(input);
    if (const auto *claims = std::get_if<auth::TokenClaims>(&verdict))
        check(!claims->discordId.isNull());

    const QString id = QString::fromUtf8(input.left(64));
    const QString token = codec.sign(id, 1, 60'000, 1'700'000'000);
    const auto back = codec.verify(token.toUtf8());
    if (const auto *claims = std::get_if<auth::TokenClaims>(&back))
        check(claims->discordId == id);
    return 0;
}
