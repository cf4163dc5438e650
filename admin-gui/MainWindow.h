#pragma once
// The admin window: Queue, Requests (access requests), Users and Status tabs over one ServerConnection, a
// status bar with the connection state, server version, queue depth and backend state, and a Server menu to
// (re)connect.
#include "admin-gui/ConnectionSettings.h"

#include <QMainWindow>

class QLabel;
class QSystemTrayIcon;
class QTabWidget;

namespace nav::admin {

class Avatars;
class QueueFeed;
class QueueModel;
class QueueTab;
class RealtimeLink;
class RequestsFeed;
class RequestsModel;
class RequestsTab;
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
    // "queue", "requests", "users" or "status"; false for an unknown name.
    bool showTab(const QString &name);
    // True once the status, the queue, the access requests and the users list have each been answered
    // since connecting.
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
    RequestsModel *requestsModel() const { return m_requestsModel; }
    RequestsFeed *requestsFeed() const { return m_requestsFeed; }
    RequestsTab *requestsTab() const { return m_requestsTab; }
    Avatars *avatars() const { return m_avatars; }

signals:
    void dataLoaded();

private:
    void updateStatusBar();
    void checkLoaded();
    void updateRequestsTitle();
    void showNotification(const QString &title, const QString &text);

    ServerConnection *m_connection;
    QueueModel *m_queueModel;
    QueueFeed *m_queueFeed;
    UsersModel *m_usersModel;
    UsersFeed *m_usersFeed;
    RealtimeLink *m_realtime;
    Avatars *m_avatars;
    RequestsModel *m_requestsModel;
    RequestsFeed *m_requestsFeed;
    QTabWidget *m_tabs;
    RequestsTab *m_requestsTab;
    QSystemTrayIcon *m_tray = nullptr; // created on the first notification, when the desktop has a tray
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
