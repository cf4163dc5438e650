#include "admin-gui/StatsFeed.h"

#include "admin-gui/ServerConnection.h"

namespace nav::admin {

StatsFeed::StatsFeed(ServerConnection *connection, UsageModel *usage, QObject *parent)
    : QObject(parent), m_connection(connection), m_usage(usage) {
    m_activityTimer.setInterval(60000);
    connect(&m_activityTimer, &QTimer::timeout, this, &StatsFeed::reloadActivity);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(3000);
    connect(&m_debounce, &QTimer::timeout, this, [this] {
        reloadActivity();
        reloadUsage();
    });
    connect(connection, &ServerConnection::connected, this, [this] {
        reloadUsage();
        reloadActivity();
        m_activityTimer.start();
    });
    connect(connection, &ServerConnection::stateChanged, this, [this](ServerConnection::State state) {
        if (state == ServerConnection::State::Disconnected || state == ServerConnection::State::Failed)
            m_activityTimer.stop();
    });
}

void StatsFeed::setWindow(const QString &window) {
    m_window = window;
    reloadUsage();
}

void StatsFeed::fail(const ApiReply &reply, const QString &path) {
    m_lastError = reply.error.kind == ApiError::NotFound
                      ? QStringLiteral("This server has no %1; update Navigator.").arg(path)
                  : reply.ok() ? QStringLiteral("unexpected answer from %1").arg(path)
                               : reply.error.message;
    emit failed(m_lastError);
}

void StatsFeed::reloadUsage() {
    const quint64 generation = ++m_usageGeneration;
    m_connection->api()->get(QStringLiteral("/api/admin/usage?window=%1").arg(m_window), this,
                             [this, generation](const ApiReply &reply) {
                                 if (generation != m_usageGeneration)
                                     return;
                                 if (!reply.ok() || !m_usage->setReport(reply.object())) {
                                     // An older Navigator has no usage: the tab says so, the window loads.
                                     m_usageLoaded = m_usageLoaded || reply.error.kind == ApiError::NotFound;
                                     return fail(reply, QStringLiteral("/api/admin/usage"));
                                 }
                                 m_usageLoaded = true;
                                 emit usageReloaded();
                             });
}

void StatsFeed::reloadActivity() {
    m_connection->api()->get(
        QStringLiteral("/api/admin/activity?minutes=60"), this, [this](const ApiReply &reply) {
            const QList<ActivityPoint> points = parseActivity(reply.object());
            if (!reply.ok() || points.isEmpty()) {
                m_activityLoaded = m_activityLoaded || reply.error.kind == ApiError::NotFound;
                return fail(reply, QStringLiteral("/api/admin/activity"));
            }
            m_activity = points;
            m_activityLoaded = true;
            emit activityReloaded();
        });
}

void StatsFeed::handleEvent(const QString &name, const QJsonObject &) {
    static const QStringList jobEvents{"task-queued", "task-started", "task-finished", "task-failed",
                                       "task-interrupted"};
    if (jobEvents.contains(name) && !m_debounce.isActive())
        m_debounce.start(); // at most one reload per 3 s burst
}

} // namespace nav::admin
