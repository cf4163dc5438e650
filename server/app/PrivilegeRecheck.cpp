#include "server/app/PrivilegeRecheck.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPrivileges, "navigator.realtime")

namespace nav::app {

PrivilegeRecheck::PrivilegeRecheck(store::UserRepository &users, realtime::RealtimeHub &realtime,
                                   qint64 intervalMs, QObject *parent)
    : QObject(parent), m_users(users), m_realtime(realtime) {
    if (intervalMs <= 0)
        return;
    connect(&m_timer, &QTimer::timeout, this, &PrivilegeRecheck::recheck);
    m_timer.start(static_cast<int>(qMin<qint64>(intervalMs, INT_MAX)));
}

void PrivilegeRecheck::recheck() {
    const QHash<QString, bool> connected = m_realtime.connectedUsers();
    if (connected.isEmpty() || m_running)
        return;
    m_running = true;
    m_users.roles(connected.keys())
        .then(this,
              [this, connected](const QHash<QString, int> &roles) {
                  m_running = false;
                  m_realtime.reconcileRoles(connected, roles);
              })
        .onFailed(this, [this](const std::exception &e) {
            m_running = false; // the sockets keep their rooms until the next round
            qCWarning(lcPrivileges).noquote() << "cannot re-read the roles of connected users:" << e.what();
        });
}

} // namespace nav::app
