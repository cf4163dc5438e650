#pragma once
// The write side of a raw connection (RawHttpConnection on either port, the realtime port's
// WebSocketConnection): bytes go straight to the socket and only what the kernel did not take is kept. The
// write notifier is created on the first partial write and enabled only while bytes wait; the buffer is
// released once they are out, so an idle connection holds none.
#include "server/http/DirectNotifier.h"

#include <QByteArray>

namespace nav::http {

class SocketOutput {
public:
    enum class Outcome {
        Flushed, // nothing waits
        Waiting, // bytes wait for the socket to become writable (owner->socketReady(Write))
        Lost,    // the connection failed (reset, broken pipe)
    };

    // The notifier is created under parent and reports to owner.
    SocketOutput(DirectNotifier::Owner *owner, QObject *parent) : m_owner(owner), m_parent(parent) {}

    // Sends bytes after whatever still waits.
    Outcome write(int descriptor, const QByteArray &bytes);
    // For the write notifier: sends more of what waits. *sentSome tells whether any byte went out.
    Outcome flush(int descriptor, bool *sentSome = nullptr);
    bool idle() const { return m_pending.isEmpty(); }
    qsizetype pendingBytes() const { return m_pending.size(); }
    // The descriptor closes or changes hands: the notifier stops and waiting bytes are dropped.
    void stop();

private:
    DirectNotifier::Owner *m_owner;
    QObject *m_parent;
    DirectNotifier *m_notifier = nullptr;
    QByteArray m_pending;
};

} // namespace nav::http
