#pragma once
// The Status tab: what GET /api/admin/status says (version, uptime, queue depth, backends with their
// reachability and loaded checkpoint, connected clients) plus the window's own connection state.
#include <QJsonObject>
#include <QWidget>

class QLabel;
class QTreeWidget;

namespace nav::admin {

class ServerConnection;

class StatusTab : public QWidget {
    Q_OBJECT
public:
    explicit StatusTab(ServerConnection *connection, QWidget *parent = nullptr);

    // Shown on the tab; the realtime line is set by the window, which owns the socket.
    void setRealtimeState(const QString &text);
    QString fieldText(const QString &name) const;
    static QString formatUptime(qint64 seconds);

private:
    void showStatus(const QJsonObject &status);
    void showConnection();

    ServerConnection *m_connection;
    QLabel *m_server;
    QLabel *m_connectionState;
    QLabel *m_realtime;
    QLabel *m_version;
    QLabel *m_uptime;
    QLabel *m_queue;
    QLabel *m_clients;
    QLabel *m_caller;
    QTreeWidget *m_backends;
};

} // namespace nav::admin
