#pragma once
// The calls behind the Usage tab and the Status charts: GET /api/admin/usage?window= into a UsageModel and
// GET /api/admin/activity (the last hour, per minute). Both reload on connect and a few seconds after jobs
// end; the activity also once a minute, so the charts move on while nothing happens.
#include "admin-gui/ApiClient.h"
#include "admin-gui/UsageModel.h"

#include <QObject>
#include <QTimer>

namespace nav::admin {

class ServerConnection;

class StatsFeed : public QObject {
    Q_OBJECT
public:
    StatsFeed(ServerConnection *connection, UsageModel *usage, QObject *parent = nullptr);

    // "24h", "7d" or "30d".
    void setWindow(const QString &window);
    QString window() const { return m_window; }
    void reloadUsage();
    void reloadActivity();
    void handleEvent(const QString &name, const QJsonObject &payload);
    void setActivityIntervalMs(int ms) { m_activityTimer.setInterval(ms); }

    QList<ActivityPoint> activity() const { return m_activity; }
    bool usageLoaded() const { return m_usageLoaded; }
    bool activityLoaded() const { return m_activityLoaded; }
    QString lastError() const { return m_lastError; }

signals:
    void usageReloaded();
    void activityReloaded();
    void failed(const QString &message);

private:
    void fail(const ApiReply &reply, const QString &path);

    ServerConnection *m_connection;
    UsageModel *m_usage;
    QString m_window = QStringLiteral("24h");
    QList<ActivityPoint> m_activity;
    QTimer m_activityTimer;
    QTimer m_debounce;
    bool m_usageLoaded = false;
    bool m_activityLoaded = false;
    quint64 m_usageGeneration = 0;
    QString m_lastError;
};

} // namespace nav::admin
