#include "server/http/SocketOutput.h"

#include <cerrno>
#include <sys/socket.h>

namespace nav::http {

namespace {

bool isTransient(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

ssize_t sendSome(int descriptor, const QByteArray &bytes) {
    return ::send(descriptor, bytes.constData(), static_cast<size_t>(bytes.size()),
                  MSG_NOSIGNAL | MSG_DONTWAIT);
}

} // namespace

SocketOutput::Outcome SocketOutput::write(int descriptor, const QByteArray &bytes) {
    if (!m_pending.isEmpty()) {
        m_pending.append(bytes);
        return Outcome::Waiting;
    }
    const ssize_t sent = sendSome(descriptor, bytes);
    if (sent == bytes.size())
        return Outcome::Flushed;
    if (sent < 0 && !isTransient(errno))
        return Outcome::Lost;
    m_pending = bytes.mid(qMax<ssize_t>(0, sent));
    if (!m_notifier)
        m_notifier = new DirectNotifier(descriptor, QSocketNotifier::Write, m_owner, m_parent);
    m_notifier->setEnabled(true);
    return Outcome::Waiting;
}

SocketOutput::Outcome SocketOutput::flush(int descriptor, bool *sentSome) {
    if (sentSome)
        *sentSome = false;
    const ssize_t sent = sendSome(descriptor, m_pending);
    if (sent < 0)
        return isTransient(errno) ? Outcome::Waiting : Outcome::Lost;
    if (sentSome)
        *sentSome = true;
    m_pending.remove(0, sent);
    if (!m_pending.isEmpty())
        return Outcome::Waiting;
    m_pending = QByteArray(); // release the buffer
    m_notifier->setEnabled(false);
    return Outcome::Flushed;
}

void SocketOutput::stop() {
    if (m_notifier)
        m_notifier->setEnabled(false);
    m_pending = QByteArray();
}

} // namespace nav::http
