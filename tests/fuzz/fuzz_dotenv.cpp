// Fuzz target for the configuration text an operator (or a stray file) can feed Navigator: the dotenv
// parser, and every value parser behind loadConfig (durations, byte sizes, TRUST_PROXY, numbers, URLs).
#include "server/config/Config.h"
#include "server/config/Duration.h"
#include "server/config/TrustProxy.h"
#include "tests/fuzz/FuzzCheck.h"

using namespace nav;
using nav::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QString text = QString::fromUtf8(fuzz::bytesOf(data, size));
    const config::EnvMap vars = config::parseDotEnv(text);
    for (auto it = vars.begin(); it != vars.end(); ++it)
        check(!it.key().isEmpty());
    // The file as it is, with a secret so that validation goes past the first check.
    config::EnvMap env{{QStringLiteral("SECRET_KEY"), QStringLiteral("fuzz")}};
    (void)config::loadConfig(vars, env);
    // Each line's value through each value parser.
    for (const QString &line : text.split('\n')) {
        const QString value = line.section('=', 1);
        (void)config::parseDurationMs(value);
        (void)config::parseByteSize(value);
        QString error;
        if (const auto trust = config::TrustProxy::parse(value, &error))
            (void)trust->clientAddress(QHostAddress(QStringLiteral("127.0.0.1")), value.toLatin1(), {});
        else
            check(!error.isEmpty());
    }
    return 0;
}
