#pragma once
// Secret comparison whose duration does not depend on where the inputs differ (nor on their lengths).
#include <QByteArray>

namespace nav::auth {

bool constantTimeEquals(const QByteArray &a, const QByteArray &b);
// For digests of a known length (HMACs): false at once when the lengths differ, otherwise every byte is
// compared whatever the first difference.
bool equalDigests(const QByteArray &a, const QByteArray &b);

} // namespace nav::auth
