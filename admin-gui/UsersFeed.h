#pragma once
// The users admin calls behind the Users tab: GET /api/admin/users pages into a UsersModel, plus authorize
// (GET /api/admin/authorize-user/:id), disable (GET /api/admin/disable-user/:id) and role changes
// (PUT /api/admin/users/:id/role {role}). Asks no questions; the tab confirms destructive actions first.
#include "admin-gui/ApiClient.h"

#include "admin-gui/ListFeed.h"

#include <QObject>

#include <functional>

namespace nav::admin {

class ServerConnection;
class UsersModel;

class UsersFeed : public ListFeed {
    Q_OBJECT
public:
    using Done = std::function<void(bool ok, const QString &message)>;

    UsersFeed(ServerConnection *connection, UsersModel *model, QObject *parent = nullptr);

    void load(int page);
    void reload() { load(m_page); }
    void authorize(const QString &discordId, Done done);
    void disable(const QString &discordId, Done done);
    void setRole(const QString &discordId, int role, Done done);
    void setPageSize(int size) { m_pageSize = size; }

private:
    void action(const QString &method, const QString &path, const QJsonObject &body, Done done);

    ServerConnection *m_connection;
    UsersModel *m_model;
    int m_page = 1;
    int m_pageSize = 25;
};

} // namespace nav::admin
