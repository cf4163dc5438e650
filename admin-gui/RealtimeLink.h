#pragma once
// The admin socket: a socket.io connection to RT_API_PORT that authenticates with the admin token (auth:
// {token}), so the server puts it in the admins room and it receives every job's events. It reconnects on
// its own after a loss; a refused token stays down until the window reconnects.
#include "shared/realtime/SocketIoClient.h"

#include <QJsonObject>
#include <QObject>
#include <QUrl>

namespace nav::admin {

class RealtimeLink : public QObject {
    Q_OBJECT
public:
    enum class State { Off, Connecting, Live, Reconnecting, Refused };
    Q_ENUM(State)

    explicit RealtimeLink(QObject *parent = nullptr);

    void open(const QUrl &url, const QString &token);
    void close();
    State state() const { return m_state; }
    bool isLive() const { return m_state == State::Live; }
    QString stateText() const;
    int eventsReceived() const { return m_events; }
    void setReconnectDelays(int initialMs, int maxMs) { m_client.setReconnectDelays(initialMs, maxMs); }

signals:
    void stateChanged(nav::admin::RealtimeLink::State state);
    // One socket.io event with its first argument (every Navigator event carries one object).
    void event(const QString &name, const QJsonObject &payload);

private:
    void setState(State state);

    realtime::SocketIoClient m_client;
    QUrl m_url;
    State m_state = State::Off;
    QString m_lastError;
    int m_events = 0;
};

} // namespace nav::admin
