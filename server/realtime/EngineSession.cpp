#include "server/realtime/EngineSession.h"

#include "server/realtime/PollingTransport.h"
#include "server/realtime/RealtimeLogging_p.h"
#include "server/realtime/WebSocketTransport.h"

#include <QTimerEvent>

namespace nav::realtime {

EngineSession::EngineSession(const QString &id, Transport *transport, const HandshakeInfo &handshake,
                             const EngineSettings &settings, QObject *parent)
    : QObject(parent), m_id(id), m_handshake(handshake), m_settings(settings) {
    setTransport(transport);
    schedulePing();
}

void EngineSession::timerEvent(QTimerEvent *event) {
    // Every timer is single-shot.
    const int id = event->timerId();
    if (id == m_pingTimer.timerId()) {
        m_pingTimer.stop();
        sendPacket(EnginePacket::make(EnginePacket::Type::Ping));
        // The pong is due pingInterval + pingTimeout after the ping was scheduled, even if this timer ran
        // late.
        m_pongTimer.start(static_cast<int>(qMax<qint64>(0, m_pongDeadline.remainingTime())), Qt::PreciseTimer,
                          this);
    } else if (id == m_pongTimer.timerId()) {
        m_pongTimer.stop();
        close(QStringLiteral("ping timeout"));
    } else if (id == m_upgradeTimer.timerId()) {
        m_upgradeTimer.stop();
        abortUpgrade();
    } else {
        QObject::timerEvent(event);
    }
}

EngineSession::~EngineSession() {
    // The transports are children, destroyed after this object: nothing may reach it from them.
    if (m_transport)
        m_transport->setListener(nullptr);
    if (m_probe)
        m_probe->setListener(nullptr);
}

void EngineSession::setTransport(Transport *transport) {
    m_transport = transport;
    transport->setParent(this);
    transport->setListener(this);
}

// The current transport and, during an upgrade, the probe report here; anything else is stale.
void EngineSession::transportPacket(Transport *from, const EnginePacket &packet) {
    if (from == m_transport)
        onPacket(packet);
    else if (from == m_probe)
        onProbePacket(packet);
}

void EngineSession::transportDrain(Transport *from) {
    if (from != m_transport)
        return;
    // During the upgrade a poll that arrives is answered with a noop and nothing else (see onProbePacket).
    if (m_upgradeState == UpgradeState::Probed) {
        auto *polling = qobject_cast<PollingTransport *>(from);
        if (polling && polling->writable())
            polling->send({EnginePacket::make(EnginePacket::Type::Noop)});
        return;
    }
    flush();
}

void EngineSession::transportClosed(Transport *from, const QString &reason) {
    if (from == m_transport)
        onClose(reason);
    else if (from == m_probe)
        abortUpgrade();
}

void EngineSession::transportError(Transport *from, const QString &reason) {
    if (from == m_transport)
        close(reason);
    else if (from == m_probe)
        abortUpgrade();
}

void EngineSession::schedulePing() {
    m_pongTimer.stop();
    // Coarse timers may fire 5% late; clients (and the protocol suite) expect the heartbeat on time.
    m_pingTimer.start(m_settings.pingIntervalMs, Qt::PreciseTimer, this);
    m_pongDeadline.setRemainingTime(m_settings.pingIntervalMs + m_settings.pingTimeoutMs, Qt::PreciseTimer);
}

bool EngineSession::checkHeartbeat() {
    if (m_readyState == ReadyState::Open && m_pongDeadline.hasExpired())
        close(QStringLiteral("ping timeout"));
    return m_readyState != ReadyState::Closed;
}

void EngineSession::sendOpen(const QByteArray &json) {
    Q_ASSERT(m_readyState == ReadyState::Opening);
    m_readyState = ReadyState::Open;
    sendPacket(EnginePacket::make(EnginePacket::Type::Open, json));
}

void EngineSession::sendMessage(const QByteArray &data, bool binary) {
    sendPacket(EnginePacket{EnginePacket::Type::Message, data, binary});
}

void EngineSession::sendPacket(const EnginePacket &packet) {
    if (closingOrClosed())
        return;
    m_buffer.append(packet);
    m_bufferedBytes += packet.data.size() + 1;
    if (m_buffer.size() > m_settings.maxBufferedPackets || m_bufferedBytes > m_settings.maxBufferedBytes) {
        qCWarning(lcRealtime) << "session" << m_id << "closed: client too slow," << m_buffer.size()
                              << "packets buffered";
        close(QStringLiteral("buffer full"));
        return;
    }
    flush();
}

void EngineSession::flush() {
    // Closing still flushes: what is buffered goes out with the close.
    if (m_readyState == ReadyState::Closed || m_buffer.isEmpty() || !m_transport->writable())
        return;
    // During the upgrade a waiting poll is only answered with a noop (see onProbePacket).
    if (m_upgradeState == UpgradeState::Probed)
        return;
    const QList<EnginePacket> batch = std::move(m_buffer);
    m_buffer.clear();
    m_bufferedBytes = 0;
    m_transport->send(batch);
}

void EngineSession::onPacket(const EnginePacket &packet) {
    if (closingOrClosed())
        return;
    switch (packet.type) {
    case EnginePacket::Type::Pong:
        schedulePing();
        break;
    case EnginePacket::Type::Message:
        emit message(packet.data, packet.binary);
        break;
    case EnginePacket::Type::Ping: // Engine.IO v3 clients ping; answer in kind
        sendPacket(EnginePacket::make(EnginePacket::Type::Pong, packet.data));
        break;
    case EnginePacket::Type::Open:
    case EnginePacket::Type::Upgrade:
        close(QStringLiteral("parse error")); // never sent by a client on an open transport
        break;
    case EnginePacket::Type::Close:
    case EnginePacket::Type::Noop:
        break;
    }
}

void EngineSession::startUpgrade(WebSocketTransport *probe) {
    m_probe = probe;
    m_upgradeState = UpgradeState::Probing;
    probe->setParent(this);
    probe->setListener(this);
    m_upgradeTimer.start(m_settings.upgradeTimeoutMs, this);
}

void EngineSession::onProbePacket(const EnginePacket &packet) {
    if (packet.type == EnginePacket::Type::Ping && packet.data == "probe") {
        m_probe->sendNow(EnginePacket::make(EnginePacket::Type::Pong, "probe"));
        m_upgradeState = UpgradeState::Probed;
        // End the waiting poll so the client can pause polling; later polls get the same answer.
        // (A poll that arrives before the upgrade completes gets a noop too: see transportDrain.)
        auto *polling = qobject_cast<PollingTransport *>(m_transport);
        if (polling && polling->writable())
            polling->send({EnginePacket::make(EnginePacket::Type::Noop)});
    } else if (packet.type == EnginePacket::Type::Upgrade && m_upgradeState == UpgradeState::Probed) {
        finishUpgrade();
    } else {
        abortUpgrade();
    }
}

void EngineSession::finishUpgrade() {
    m_upgradeTimer.stop();
    WebSocketTransport *ws = m_probe;
    m_probe = nullptr;
    m_upgradeState = UpgradeState::None;
    ws->setListener(nullptr);
    Transport *old = m_transport;
    old->setListener(nullptr);
    if (auto *polling = qobject_cast<PollingTransport *>(old))
        polling->discard();
    old->deleteLater();
    setTransport(ws);
    qCDebug(lcRealtime) << "session" << m_id << "upgraded to websocket";
    emit upgraded();
    flush();
}

void EngineSession::abortUpgrade() {
    m_upgradeTimer.stop();
    if (m_upgradeState == UpgradeState::None)
        return;
    WebSocketTransport *ws = m_probe;
    m_probe = nullptr;
    m_upgradeState = UpgradeState::None;
    ws->setListener(nullptr);
    ws->close();
    ws->deleteLater();
    flush();
}

void EngineSession::close(const QString &reason) {
    if (closingOrClosed())
        return;
    m_readyState = ReadyState::Closing;
    // Packets still buffered go out with the close where the transport can take them.
    flush();
    m_transport->setListener(nullptr);
    m_transport->close();
    onClose(reason);
}

void EngineSession::onClose(const QString &reason) {
    // From close(), or from the transport itself (then straight from Opening/Open).
    if (m_readyState == ReadyState::Closed)
        return;
    m_readyState = ReadyState::Closed;
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_upgradeTimer.stop();
    if (m_probe) {
        m_probe->setListener(nullptr);
        m_probe->close();
    }
    m_buffer.clear();
    qCDebug(lcRealtime) << "session" << m_id << "closed:" << reason;
    emit closed(reason);
}

} // namespace nav::realtime
