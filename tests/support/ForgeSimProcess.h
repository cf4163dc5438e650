#pragma once
// Starts build/bin/forge-sim on a free port for one test and stops it at destruction.
#include "tests/support/TestSupport.h"

namespace nav::test {

class ForgeSimProcess {
public:
    bool start(const QStringList &extraArgs = {}) {
        m_port = freePort();
        if (!m_process.start(binPath("forge-sim"),
                             QStringList{"--port", QString::number(m_port)} + extraArgs))
            return false;
        return waitForPort(m_port, 20000);
    }
    void kill() { m_process.kill(); }
    quint16 port() const { return m_port; }
    QString sdApiHost() const { return QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(m_port); }
    QUrl url(const QString &path) const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
    }
    QByteArray output() const { return m_process.output(); }

private:
    quint16 m_port = 0;
    ChildProcess m_process;
};

} // namespace nav::test
