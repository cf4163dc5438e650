#pragma once
// Secret comparison whose duration does not depend on where the inputs differ (nor on their lengths).
#include <QByteArray>

namespace nav::auth {

bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace nav::auth
