// The sd_notify protocol spoken without libsystemd: READY=1 and STOPPING=1 reach the datagram socket named in
// NOTIFY_SOCKET, a path or an abstract name ('@'), and a malformed or missing NOTIFY_SOCKET sends nothing.
#include "server/ops/ServiceNotify.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// A datagram socket bound to `name` (a path, or '@' + an abstract name), as systemd would hold it.
class FakeSystemd {
public:
    explicit FakeSystemd(const QByteArray &name) {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
        if (name.startsWith('@'))
            address.sun_path[0] = '\0';
        const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(name.size()));
        m_bound = ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), length) == 0;
        const timeval timeout{0, 300'000};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    }
    ~FakeSystemd() { ::close(m_fd); }
    bool bound() const { return m_bound; }
    QByteArray receive() const {
        char buffer[512] = {};
        const ssize_t size = ::recv(m_fd, buffer, sizeof(buffer), 0);
        return size > 0 ? QByteArray(buffer, int(size)) : QByteArray();
    }

private:
    int m_fd = -1;
    bool m_bound = false;
};

} // namespace

class ServiceNotifyTest : public QObject {
    Q_OBJECT

private slots:
    void cleanup() { qunsetenv("NOTIFY_SOCKET"); }

    void pathSocket() {
        QTemporaryDir dir;
        const QByteArray path = dir.filePath(QStringLiteral("notify")).toUtf8();
        FakeSystemd systemd(path);
        QVERIFY(systemd.bound());
        qputenv("NOTIFY_SOCKET", path);
        nav::ops::notifyReady();
        QVERIFY(systemd.receive().split('\n').contains("READY=1"));
        nav::ops::notifyStopping();
        QVERIFY(systemd.receive().split('\n').contains("STOPPING=1"));
    }

    void abstractSocket() {
        const QByteArray name = "@navigator-notify-test-" + QByteArray::number(::getpid());
        FakeSystemd systemd(name);
        QVERIFY(systemd.bound());
        qputenv("NOTIFY_SOCKET", name);
        nav::ops::notifyReady();
        QVERIFY(systemd.receive().split('\n').contains("READY=1"));
    }

    void malformedOrMissingSendsNothing() {
        QTemporaryDir dir;
        const QByteArray path = dir.filePath(QStringLiteral("notify")).toUtf8();
        FakeSystemd systemd(path);
        QVERIFY(systemd.bound());
        nav::ops::notifyReady(); // no NOTIFY_SOCKET at all
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("NOTIFY_SOCKET is not a socket path"));
        qputenv("NOTIFY_SOCKET", "relative/notify");
        nav::ops::notifyReady();
        QVERIFY(systemd.receive().isEmpty());
    }
};

QTEST_GUILESS_MAIN(ServiceNotifyTest)
#include "tst_servicenotify.moc"
