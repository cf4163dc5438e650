#include "server/api/AdminStatusService.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdminStatus, "navigator.admin")

namespace nav::api {

AdminStatusService::AdminStatusService(forge::ForgeClient *forge, Sources sources, QObject *parent)
    : QObject(parent), m_forge(forge), m_sources(std::move(sources)),
      m_startedAt(QDateTime::currentDateTimeUtc()) {}

void AdminStatusService::status(std::function<void(const api::Status &)> done) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_probed && now - m_checkedMs < m_cacheMs) {
        done(render());
        return;
    }
    m_waiting.append(std::move(done));
    if (!m_probing)
        probe();
}

void AdminStatusService::probe() {
    m_probing = true;
    m_forge->get(
        QStringLiteral("/options"),
        [this](const QJsonDocument &body, const std::optional<forge::ForgeError> &error) {
            m_probing = false;
            m_probed = true;
            m_checkedMs = QDateTime::currentMSecsSinceEpoch();
            m_checkedAt = QDateTime::currentDateTimeUtc();
            m_reachable = !error.has_value();
            m_error = error ? error->code + QStringLiteral(": ") + error->message : QString();
            if (!error)
                m_checkpoint = body.object().value(QStringLiteral("sd_model_checkpoint")).toString();
            else
                qCInfo(lcAdminStatus).noquote() << "backend probe failed:" << m_error;
            const api::Status status = render();
            const auto waiting = std::exchange(m_waiting, {});
            for (const auto &done : waiting)
                done(status);
        },
        m_probeTimeoutMs);
}

api::Status AdminStatusService::render() const {
    const auto figure = [](const std::function<int()> &source) {
        return source ? std::optional<int>(source()) : std::nullopt;
    };
    api::Status status;
    status.version = QCoreApplication::applicationVersion();
    status.startedAt = m_startedAt;
    status.uptimeSeconds = m_startedAt.secsTo(QDateTime::currentDateTimeUtc());
    status.queuedJobs = figure(m_sources.queuedJobs);
    status.runningJobs = figure(m_sources.runningJobs);
    if (status.queuedJobs)
        status.queueDepth = *status.queuedJobs + status.runningJobs.value_or(0);
    status.connectedClients = figure(m_sources.connectedClients);
    api::Status::Backend backend;
    backend.url = m_forge->sdApiHost().toString(QUrl::RemoveUserInfo);
    backend.reachable = m_reachable;
    if (m_reachable)
        backend.checkpoint = m_checkpoint;
    backend.error = m_error;
    backend.checkedAt = m_checkedAt;
    if (m_sources.firstPassPatch)
        backend.firstpassPatch = m_sources.firstPassPatch();
    if (status.runningJobs)
        backend.state = *status.runningJobs > 0 ? QStringLiteral("busy") : QStringLiteral("idle");
    status.backends = {backend};
    if (m_sources.database)
        status.database = m_sources.database();
    return status;
}

} // namespace nav::api
