#pragma once
// The Requests tab: people refused at login because they have no role yet, live, with their Discord name
// and avatar, and one-click Approve as apprentice / Approve as artificer / Deny. New requests can also pop
// up as a tray notification (the checkbox, remembered in the settings).
#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QTableView;

namespace nav::admin {

class RequestsFeed;
class RequestsModel;
class ServerConnection;

class RequestsTab : public QWidget {
    Q_OBJECT
public:
    RequestsTab(ServerConnection *connection, RequestsModel *model, RequestsFeed *feed,
                QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QString selectedRequest() const;
    bool selectRequest(const QString &discordId);
    // role 1 (apprentice) or 2 (artificer); approving asks nothing, it is what the buttons say.
    void approveSelected(int role);
    // `confirm` false skips the confirmation dialog (tests, scripted use).
    void denySelected(bool confirm = true);
    QString message() const;
    bool notificationsEnabled() const;
    void setNotificationsEnabled(bool on);

signals:
    // A new request arrived and notifications are on (MainWindow shows it in the tray).
    void notify(const QString &title, const QString &text);

private:
    void updateActions();
    void setMessage(const QString &text);

    ServerConnection *m_connection;
    RequestsModel *m_model;
    RequestsFeed *m_feed;
    QTableView *m_table;
    QLabel *m_empty;
    QPushButton *m_apprentice;
    QPushButton *m_artificer;
    QPushButton *m_deny;
    QCheckBox *m_notify;
    QLabel *m_message;
};

} // namespace nav::admin
