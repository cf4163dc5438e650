#pragma once
// The admin window: Queue, Backends, History, Usage, Requests (access requests), Users and Status tabs over
// one ServerConnection, a status bar with the connection state, server version, queue depth and backend
// state, a Server menu to (re)connect and a Jobs menu with the shortcuts (Ctrl+I interrupt/cancel, Ctrl+P
// promote, F5 refresh). Geometry, the current tab and every table's column layout are kept in QSettings; an
// optional tray notification tells of failed jobs and backends that go down.
#include "admin-gui/ConnectionSettings.h"

#include <QMainWindow>

class QLabel;
class QSystemTrayIcon;
class QAction;
class QCloseEvent;
class QTabWidget;
class QTableView;

namespace nav::admin {

class Avatars;
class BackendsFeed;
class BackendsModel;
class BackendsTab;
class HistoryFeed;
class HistoryModel;
class HistoryTab;
class StatsFeed;
class UsageModel;
class UsageTab;
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
    // "queue", "backends", "history", "usage", "requests", "users" or "status"; false for an unknown name.
    bool showTab(const QString &name);
    // True once the status, the queue, the backends, the history, the usage and activity, the access requests
    // and the users list have each been answered since connecting.
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
    BackendsModel *backendsModel() const { return m_backendsModel; }
    BackendsFeed *backendsFeed() const { return m_backendsFeed; }
    BackendsTab *backendsTab() const { return m_backendsTab; }
    HistoryModel *historyModel() const { return m_historyModel; }
    HistoryFeed *historyFeed() const { return m_historyFeed; }
    HistoryTab *historyTab() const { return m_historyTab; }
    UsageModel *usageModel() const { return m_usageModel; }
    StatsFeed *statsFeed() const { return m_statsFeed; }
    UsageTab *usageTab() const { return m_usageTab; }
    // Re-reads everything from the server (F5).
    void refreshAll();
    // Tray notifications for failed jobs and backends going down (remembered in QSettings).
    void setFailureNotifications(bool on);
    bool failureNotifications() const;
    static QStringList tabNames();

signals:
    void dataLoaded();
    // A failure worth a notification (sent whether or not a tray shows it).
    void failureNoticed(const QString &title, const QString &text);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void updateStatusBar();
    void checkLoaded();
    void updateRequestsTitle();
    void showNotification(const QString &title, const QString &text, const QString &tab);
    void noticeFailure(const QString &title, const QString &text, const QString &tab);
    void restoreLayout();
    void saveLayout() const;
    QList<QTableView *> tables() const;

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
    QString m_notifiedTab;             // the tab a click on the last notification opens
    BackendsModel *m_backendsModel;
    BackendsFeed *m_backendsFeed;
    HistoryModel *m_historyModel;
    HistoryFeed *m_historyFeed;
    UsageModel *m_usageModel;
    StatsFeed *m_statsFeed;
    BackendsTab *m_backendsTab;
    HistoryTab *m_historyTab;
    UsageTab *m_usageTab;
    QAction *m_notifyFailures;
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
