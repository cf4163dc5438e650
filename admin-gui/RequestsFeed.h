#pragma once
// The access-request calls behind the Requests tab: GET /api/admin/access-requests?status=pending into a
// RequestsModel (again on every connect), `access-requested` socket events applied live, and
// POST .../:id/approve {role} and .../:id/deny.
#include "admin-gui/ApiClient.h"

#include "admin-gui/ListFeed.h"
#include <QJsonObject>

#include <QObject>

#include <functional>

namespace nav::admin {

class RequestsModel;
class ServerConnection;

class RequestsFeed : public ListFeed {
    Q_OBJECT
public:
    using Done = std::function<void(bool ok, const QString &message)>;

    RequestsFeed(ServerConnection *connection, RequestsModel *model, QObject *parent = nullptr);

    void reload();
    // A socket.io event; only `access-requested` is used.
    void handleEvent(const QString &name, const QJsonObject &payload);
    // role 1 (apprentice) or 2 (artificer).
    void approve(const QString &discordId, int role, Done done);
    void deny(const QString &discordId, Done done);

signals:
    // Someone new asked for access (not a retry of a listed request): for the tray notification.
    void requestArrived(const QJsonObject &request);
    // A request was approved or denied from this window.
    void decided(const QString &discordId);

private:
    void decide(const QString &discordId, const QString &action, const QJsonObject &body, Done done);

    ServerConnection *m_connection;
    RequestsModel *m_model;
};

} // namespace nav::admin
