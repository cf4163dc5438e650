#pragma once
// The Status tab: what GET /api/admin/status says (version, uptime, queue depth, backends with their
// reachability and loaded checkpoint, connected clients), the window's own connection state, and two charts
// of the last hour from GET /api/admin/activity: queue length (waiting, running) and jobs ended per minute.
#include <QJsonObject>
#include <QWidget>

class QChart;
class QLabel;
class QTreeWidget;

namespace nav::admin {

class BackendsModel;
class ServerConnection;
class StatsFeed;

class StatusTab : public QWidget {
    Q_OBJECT
public:
    // `stats` may be null (no charts), `backends` too (no backend summary).
    explicit StatusTab(ServerConnection *connection, StatsFeed *stats = nullptr,
                       BackendsModel *backends = nullptr, QWidget *parent = nullptr);
    QChart *queueChart() const { return m_queueChart; }
    QChart *throughputChart() const { return m_throughputChart; }

    // Shown on the tab; the realtime line is set by the window, which owns the socket.
    void setRealtimeState(const QString &text);
    QString fieldText(const QString &name) const;
    static QString formatUptime(qint64 seconds);

private:
    void showStatus(const QJsonObject &status);
    void showConnection();
    void showActivity();
    void showBackendSummary();

    ServerConnection *m_connection;
    QLabel *m_server;
    QLabel *m_connectionState;
    QLabel *m_realtime;
    QLabel *m_version;
    QLabel *m_uptime;
    QLabel *m_queue;
    QLabel *m_clients;
    QLabel *m_caller;
    QLabel *m_database;
    QLabel *m_lastHour;
    QLabel *m_backendSummary;
    BackendsModel *m_backendsModel;
    QTreeWidget *m_backends;
    StatsFeed *m_stats;
    QChart *m_queueChart = nullptr;
    QChart *m_throughputChart = nullptr;
};

} // namespace nav::admin
