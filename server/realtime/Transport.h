#pragma once
// One way of carrying Engine.IO packets between the server and a client (HTTP long-polling or WebSocket).
// An EngineSession owns exactly one transport at a time and swaps it during the upgrade.
#include "shared/realtime/EnginePacket.h"

#include <QObject>

namespace nav::realtime {

class Transport : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    virtual QString name() const = 0;
    // True when send() may be called now (polling: a GET is waiting; WebSocket: always while open).
    virtual bool writable() const = 0;
    virtual void send(const QList<EnginePacket> &packets) = 0;
    // Closes from the server side. Emits closed() at most once.
    virtual void close() = 0;

signals:
    void packet(const nav::realtime::EnginePacket &packet);
    void drain(); // became writable: the session may flush its buffer
    void closed(const QString &reason);
    void error(const QString &reason); // the client broke the protocol; the session closes
};

} // namespace nav::realtime
