#include "tests/pipeline/ForgeSim.h"

#include <QElapsedTimer>
#include <QThread>

namespace nav::test {

ForgeSim::ForgeSim(QStringList args) : m_args(std::move(args)), m_port(freePort()) {}

bool ForgeSim::start(int timeoutMs) {
    QStringList args{"--port", QString::number(m_port)};
    args += m_args;
    if (!m_process.start(binPath("forge-sim"), args))
        return false;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (!m_process.running())
            return false;
        if (http("GET", url("/sim/state"), {}, {}, 1000).status == 200)
            return true;
        QThread::msleep(50);
    }
    return false;
}

QString ForgeSim::sdApiHost() const {
    return QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(m_port);
}

QUrl ForgeSim::url(const QString &path) const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

QJsonArray ForgeSim::requests() const {
    const HttpReply reply = http("GET", url("/sim/requests"));
    const QJsonDocument doc = QJsonDocument::fromJson(reply.body);
    return doc.isArray() ? doc.array() : doc.object().value("requests").toArray();
}

QJsonObject ForgeSim::requestFor(const QString &jobId) const {
    const QString taskId = QStringLiteral("navigator-") + jobId;
    for (const QJsonValue &entry : requests()) {
        const QJsonObject object = entry.toObject();
        if (object.value("task_id").toString() == taskId ||
            object.value("body").toObject().value("force_task_id").toString() == taskId)
            return object;
    }
    return {};
}

bool ForgeSim::faults(const QJsonObject &faults) const {
    return httpJson("POST", url("/sim/faults"), faults).status == 200;
}

QJsonObject ForgeSim::state() const {
    return http("GET", url("/sim/state")).json();
}

bool ForgeSim::reset() const {
    return http("POST", url("/sim/reset")).status / 100 == 2;
}

} // namespace nav::test
