#include "server/ops/ServiceNotify.h"

#include <QByteArray>
#include <QLoggingCategory>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace nav::ops {

namespace {

Q_LOGGING_CATEGORY(lcNotify, "navigator.ops")

// The notification protocol of sd_notify(3): one datagram of newline-separated KEY=VALUE lines sent to the
// AF_UNIX socket named in NOTIFY_SOCKET, where a leading '@' means the abstract namespace. Spoken here rather
// than through libsystemd, which with the libraries it pulls in costs about 1 MiB of resident memory for two
// messages. The socket is non-blocking: a stalled systemd never holds up the event loop.
void notify(const QByteArray &message) {
    const QByteArray target = qgetenv("NOTIFY_SOCKET");
    if (target.isEmpty())
        return;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if ((target[0] != '/' && target[0] != '@') || size_t(target.size()) >= sizeof(address.sun_path)) {
        qCWarning(lcNotify).noquote() << "NOTIFY_SOCKET is not a socket path or abstract name:" << target;
        return;
    }
    std::memcpy(address.sun_path, target.constData(), size_t(target.size()));
    if (target[0] == '@')
        address.sun_path[0] = '\0';
    const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(target.size()));
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        qCWarning(lcNotify) << "cannot notify systemd:" << std::strerror(errno);
        return;
    }
    if (::sendto(fd, message.constData(), size_t(message.size()), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr *>(&address), length) < 0)
        qCWarning(lcNotify).noquote() << "cannot notify systemd at" << target << ":" << std::strerror(errno);
    ::close(fd);
}

} // namespace

void notifyReady() {
    notify("READY=1\nSTATUS=Serving the HTTP API and socket.io");
}

void notifyStopping() {
    notify("STOPPING=1\nSTATUS=Shutting down");
}

} // namespace nav::ops
