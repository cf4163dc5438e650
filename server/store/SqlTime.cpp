#include "server/store/SqlTime.h"

namespace nav::store {

QDateTime utcDateTime(const QVariant &value) {
    if (value.isNull())
        return {};
    QDateTime time = value.userType() == QMetaType::QDateTime
                         ? value.toDateTime()
                         : QDateTime::fromString(value.toString().replace(' ', 'T'), Qt::ISODate);
    time.setTimeSpec(Qt::UTC);
    return time;
}

} // namespace nav::store
