#include "server/auth/ConstantTime.h"

#include <QCryptographicHash>

#include <openssl/crypto.h>

namespace nav::auth {

bool constantTimeEquals(const QByteArray &a, const QByteArray &b) {
    // Hashing first gives two equal-length digests, so neither the length nor the first differing byte of
    // the secret shows in the timing.
    const QByteArray da = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray db = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    return CRYPTO_memcmp(da.constData(), db.constData(), static_cast<size_t>(da.size())) == 0;
}

} // namespace nav::auth
