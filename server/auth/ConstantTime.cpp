#include "server/auth/ConstantTime.h"

#include <QCryptographicHash>

namespace nav::auth {

bool equalDigests(const QByteArray &a, const QByteArray &b) {
    if (a.size() != b.size())
        return false;
    // volatile keeps the compiler from turning the loop into an early-exit comparison.
    volatile unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference = difference | static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b) {
    // Hashing first gives two equal-length digests, so neither the length nor the first differing byte of
    // the secret shows in the timing.
    return equalDigests(QCryptographicHash::hash(a, QCryptographicHash::Sha256),
                        QCryptographicHash::hash(b, QCryptographicHash::Sha256));
}

} // namespace nav::auth
