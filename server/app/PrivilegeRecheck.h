#pragma once
// Privileges on open sockets also follow changes made outside Navigator's API: an operator who edits the
// users table (the original's README suggests it for roles) or deletes a row. Every RT_PRIVILEGE_RECHECK the
// roles of the users with a socket open are read again in one query, and the realtime hub applies them
// (disconnect the gone and the disabled, move admins in or out of the admins room). Changes made through the
// API reach the sockets at once without this.
#include "server/realtime/RealtimeHub.h"
#include "server/store/UserRepository.h"

#include <QObject>
#include <QTimer>

namespace nav::app {

class PrivilegeRecheck final : public QObject {
    Q_OBJECT
public:
    // intervalMs 0: never.
    PrivilegeRecheck(store::UserRepository &users, realtime::RealtimeHub &realtime, qint64 intervalMs,
                     QObject *parent = nullptr);

private:
    void recheck();

    store::UserRepository &m_users;
    realtime::RealtimeHub &m_realtime;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace nav::app
