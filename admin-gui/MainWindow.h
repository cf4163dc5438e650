#pragma once
// The admin window: Queue, Users and Status tabs over one ServerConnection, a status bar with the
// connection state, server version, queue depth and backend state, and a Server menu to (re)connect.
#include "admin-gui/ConnectionSettings.h"

#include <QMainWindow>

class QLabel;
class QTabWidget;

namespace nav::admin {

class QueueFeed;
class QueueModel;
class QueueTab;
class RealtimeLink;
class ServerConnection;
class StatusTab;
class UsersFeed;
class UsersModel;
class UsersTab;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void connectTo(const ConnectionSettings &settings);
    // Shows the connect dialog; on success connects and remembers the settings. False when cancelled.
    bool askToConnect(const ConnectionSettings &initial);
    // "queue", "users" or "status"; false for an unknown name.
    bool showTab(const QString &name);
    // True once the status, the queue and the users list have each been answered since connecting.
    bool isDataLoaded() const;
    QString statusBarText() const;

    ServerConnection *connection() const { return m_connection; }
    QueueModel *queueModel() const { return m_queueModel; }
    QueueFeed *queueFeed() const { return m_queueFeed; }
    UsersModel *usersModel() const { return m_usersModel; }
    UsersFeed *usersFeed() const { return m_usersFeed; }
    RealtimeLink *realtime() const { return m_realtime; }
    QueueTab *queueTab() const { return m_queueTab; }
    UsersTab *usersTab() const { return m_usersTab; }
    StatusTab *statusTab() const { return m_statusTab; }

signals:
    void dataLoaded();

private:
    void updateStatusBar();
    void checkLoaded();

    ServerConnection *m_connection;
    QueueModel *m_queueModel;
    QueueFeed *m_queueFeed;
    UsersModel *m_usersModel;
    UsersFeed *m_usersFeed;
    RealtimeLink *m_realtime;
    QTabWidget *m_tabs;
    QueueTab *m_queueTab;
    UsersTab *m_usersTab;
    StatusTab *m_statusTab;
    QLabel *m_stateLabel;
    QLabel *m_versionLabel;
    QLabel *m_queueLabel;
    QLabel *m_backendLabel;
    QLabel *m_realtimeLabel;
    bool m_loadedSignalled = false;
};

} // namespace nav::admin
