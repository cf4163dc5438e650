#pragma once
// build/bin/forge-sim as a child process for the pipeline suites: started on a free port, driven through its
// /sim/* control surface (request log, faults, state), and stopped or restarted on the same port.
#include "tests/support/TestSupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace nav::test {

class ForgeSim {
public:
    explicit ForgeSim(QStringList args = {});
    ~ForgeSim() = default;

    bool start(int timeoutMs = 15000);
    void kill() { m_process.kill(); }
    bool running() const { return m_process.running(); }
    QByteArray output() const { return m_process.output(); }

    quint16 port() const { return m_port; }
    QString sdApiHost() const; // http://127.0.0.1:<port>/sdapi/v1, for SD_API_HOST
    QUrl url(const QString &path) const;

    // Every generation request the simulator received, oldest first.
    QJsonArray requests() const;
    // Only the txt2img/img2img ones whose body carries `force_task_id` = navigator-<jobId>.
    QJsonObject requestFor(const QString &jobId) const;
    bool faults(const QJsonObject &faults) const;
    QJsonObject state() const;
    bool reset() const;

private:
    QStringList m_args;
    quint16 m_port = 0;
    ChildProcess m_process;
};

} // namespace nav::test
