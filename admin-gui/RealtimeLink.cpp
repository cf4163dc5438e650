#include "admin-gui/RealtimeLink.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRealtimeLink, "navigator.admin.realtime")

namespace nav::admin {

RealtimeLink::RealtimeLink(QObject *parent) : QObject(parent) {
    m_client.setReconnectDelays(1000, 15000);
    connect(&m_client, &realtime::SocketIoClient::connected, this, [this] {
        qCInfo(lcRealtimeLink) << "live events from" << m_url.toString();
        m_lastError.clear();
        setState(State::Live);
    });
    connect(&m_client, &realtime::SocketIoClient::disconnected, this, [this](const QString &reason) {
        if (m_state == State::Off || m_state == State::Refused)
            return;
        m_lastError = reason;
        setState(State::Reconnecting);
    });
    connect(&m_client, &realtime::SocketIoClient::connectError, this,
            [this](const QString &message, const QJsonValue &) {
                qCWarning(lcRealtimeLink).noquote() << "realtime server refused the admin socket:" << message;
                m_lastError = message;
                setState(State::Refused);
            });
    connect(&m_client, &realtime::SocketIoClient::event, this,
            [this](const QString &name, const QJsonArray &args) {
                ++m_events;
                emit event(name, args.isEmpty() ? QJsonObject() : args.first().toObject());
            });
}

void RealtimeLink::open(const QUrl &url, const QString &token) {
    m_url = url;
    m_client.close();
    m_client.setUrl(url);
    m_client.setAuth(QJsonObject{{QStringLiteral("token"), token}});
    setState(State::Connecting);
    m_client.open();
}

void RealtimeLink::close() {
    setState(State::Off);
    m_client.close();
}

QString RealtimeLink::stateText() const {
    switch (m_state) {
    case State::Off:
        return QStringLiteral("off");
    case State::Connecting:
        return QStringLiteral("connecting to %1…").arg(m_url.toString());
    case State::Live:
        return QStringLiteral("live events from %1").arg(m_url.toString());
    case State::Reconnecting:
        return QStringLiteral("lost (%1), reconnecting; polling meanwhile").arg(m_lastError);
    case State::Refused:
        return QStringLiteral("refused: %1; polling instead").arg(m_lastError);
    }
    return {};
}

void RealtimeLink::setState(State state) {
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace nav::admin
