#pragma once
// One way of carrying Engine.IO packets between the server and a client (HTTP long-polling or WebSocket).
// An EngineSession owns exactly one transport at a time and swaps it during the upgrade. The transport
// reports to its session through the Listener interface rather than signals: every idle session has one, and
// each signal connection costs about 100 bytes.
#include "shared/realtime/EnginePacket.h"

#include <QObject>

namespace nav::realtime {

class Transport : public QObject {
    Q_OBJECT
public:
    class Listener {
    public:
        virtual void transportPacket(Transport *from, const EnginePacket &packet) = 0;
        // The transport became writable: the session may flush its buffer.
        virtual void transportDrain(Transport *from) = 0;
        virtual void transportClosed(Transport *from, const QString &reason) = 0;
        // The client broke the protocol; the session closes.
        virtual void transportError(Transport *from, const QString &reason) = 0;

    protected:
        ~Listener() = default;
    };

    using QObject::QObject;

    // Null: nothing is reported any more.
    void setListener(Listener *listener) { m_listener = listener; }

    virtual QString name() const = 0;
    // True when send() may be called now (polling: a GET is waiting; WebSocket: always while open).
    virtual bool writable() const = 0;
    virtual void send(const QList<EnginePacket> &packets) = 0;
    // Closes from the server side. Emits closed() at most once.
    virtual void close() = 0;

protected:
    void reportPacket(const EnginePacket &packet) {
        if (m_listener)
            m_listener->transportPacket(this, packet);
    }
    void reportDrain() {
        if (m_listener)
            m_listener->transportDrain(this);
    }
    void reportClosed(const QString &reason) {
        if (m_listener)
            m_listener->transportClosed(this, reason);
    }
    void reportError(const QString &reason) {
        if (m_listener)
            m_listener->transportError(this, reason);
    }

private:
    Listener *m_listener = nullptr;
};

} // namespace nav::realtime
