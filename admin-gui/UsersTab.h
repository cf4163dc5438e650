#pragma once
// The Users tab: the paginated user list (names from Discord, ids in tooltips and "Copy id"), authorizing a
// Discord ID, changing a role (only to roles the caller may hand out) and disabling a user. Destructive
// actions ask first.
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace nav::admin {

class ServerConnection;
class UsersFeed;
class UsersModel;

class UsersTab : public QWidget {
    Q_OBJECT
public:
    UsersTab(ServerConnection *connection, UsersModel *model, UsersFeed *feed, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QString selectedUser() const;
    bool selectUser(const QString &discordId);
    // `confirm` false skips the confirmation dialogs (tests, scripted use).
    void authorize(const QString &discordId, bool confirm = true);
    void disableSelected(bool confirm = true);
    void setSelectedRole(int role, bool confirm = true);
    QString message() const;
    // The roles offered in the role box (depends on the caller's own role).
    QList<int> assignableRoles() const;

private:
    void updateActions();
    void updateRoles();
    void updatePager();
    void setMessage(const QString &text);

    ServerConnection *m_connection;
    UsersModel *m_model;
    UsersFeed *m_feed;
    QTableView *m_table;
    QLineEdit *m_discordId;
    QPushButton *m_authorize;
    QComboBox *m_role;
    QPushButton *m_setRole;
    QPushButton *m_disable;
    QPushButton *m_previous;
    QPushButton *m_next;
    QLabel *m_pager;
    QLabel *m_message;
    QLabel *m_selected; // the selected user's name and id
};

} // namespace nav::admin
