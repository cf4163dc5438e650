#include "server/api/AdminStatusService.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdminStatus, "navigator.admin")

namespace nav::api {

AdminStatusService::AdminStatusService(forge::ForgeClient *forge, Sources sources, QObject *parent)
    : QObject(parent), m_forge(forge), m_sources(std::move(sources)),
      m_startedAt(QDateTime::currentDateTimeUtc()) {}

void AdminStatusService::status(std::function<void(const QJsonObject &)> done) {
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
            const QJsonObject status = render();
            const auto waiting = std::exchange(m_waiting, {});
            for (const auto &done : waiting)
                done(status);
        },
        m_probeTimeoutMs);
}

QJsonObject AdminStatusService::render() const {
    const auto figure = [](const std::function<int()> &source) {
        return source ? QJsonValue(source()) : QJsonValue(QJsonValue::Null);
    };
    const QJsonValue queued = figure(m_sources.queuedJobs);
    const QJsonValue running = figure(m_sources.runningJobs);
    QJsonObject backend{
        {QStringLiteral("url"), m_forge->sdApiHost().toString(QUrl::RemoveUserInfo)},
        {QStringLiteral("reachable"), m_reachable},
        {QStringLiteral("checkpoint"),
         m_reachable && !m_checkpoint.isEmpty() ? QJsonValue(m_checkpoint) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("error"), m_error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_error)},
        {QStringLiteral("checked_at"), m_checkedAt.toString(Qt::ISODateWithMs)},
    };
    backend.insert(QStringLiteral("firstpass_patch"), m_sources.firstPassPatch
                                                          ? QJsonValue(m_sources.firstPassPatch())
                                                          : QJsonValue(QJsonValue::Null));
    if (running.isDouble())
        backend.insert(QStringLiteral("state"),
                       running.toInt() > 0 ? QStringLiteral("busy") : QStringLiteral("idle"));
    return QJsonObject{
        {QStringLiteral("version"), QCoreApplication::applicationVersion()},
        {QStringLiteral("started_at"), m_startedAt.toString(Qt::ISODateWithMs)},
        {QStringLiteral("uptime_seconds"), m_startedAt.secsTo(QDateTime::currentDateTimeUtc())},
        {QStringLiteral("queue_depth"),
         queued.isDouble() ? QJsonValue(queued.toInt() + running.toInt(0)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("queued_jobs"), queued},
        {QStringLiteral("running_jobs"), running},
        {QStringLiteral("connected_clients"), figure(m_sources.connectedClients)},
        {QStringLiteral("backends"), QJsonArray{backend}},
        {QStringLiteral("database"),
         m_sources.database ? QJsonValue(m_sources.database()) : QJsonValue(QJsonValue::Null)},
    };
}

} // namespace nav::api
