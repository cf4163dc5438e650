#pragma once
// One page of GET /api/admin/users as a table: name (from the user's Discord profile, with the id in a
// tooltip), Discord ID, role, image count and dates. Needs no widgets.
#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace nav::admin {

struct AdminUser {
    QString discordId;
    QString name;     // display name from the last Discord login; empty before one
    QString username; // Discord username
    int role = 0;
    int imageCount = -1; // -1 when the server does not say
    QDateTime createdAt;
    QDateTime updatedAt;
};

class UsersModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ColName, ColId, ColRole, ColImages, ColCreated, ColUpdated, ColumnCount };
    enum Role { DiscordIdRole = Qt::UserRole + 1, RoleValueRole };

    explicit UsersModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Loads one page of the answer; returns false when the body has no user list.
    bool setPage(const QJsonObject &body);
    void clear();

    const AdminUser &userAt(int row) const { return m_users.at(row); }
    int rowOf(const QString &discordId) const;
    // "Name (id)" when the name is known, else the id.
    QString describe(const QString &discordId) const;
    int currentPage() const { return m_page; }
    int totalPages() const { return m_totalPages; }
    int totalCount() const { return m_total; }

    // Role names as Navigator uses them: 0 disabled .. 4 apex.
    static QString roleName(int role);

private:
    QList<AdminUser> m_users;
    int m_page = 1;
    int m_totalPages = 1;
    int m_total = 0;
};

} // namespace nav::admin
