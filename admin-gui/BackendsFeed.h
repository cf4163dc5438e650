#pragma once
// The backend calls behind the Backends tab: GET /api/admin/backends into a BackendsModel on every connect,
// `backend-state` events applied live, a reload when a job ends (the done/failed counts and the running job
// change without a state change), and POST /api/admin/backends/:name/pause|resume|drain.
#include "admin-gui/ApiClient.h"

#include "admin-gui/ListFeed.h"
#include <QJsonObject>

#include <QObject>
#include <QTimer>

#include <functional>

namespace nav::admin {

class BackendsModel;
class ServerConnection;

class BackendsFeed : public ListFeed {
    Q_OBJECT
public:
    using Done = std::function<void(bool ok, const QString &message)>;

    BackendsFeed(ServerConnection *connection, BackendsModel *model, QObject *parent = nullptr);

    void reload();
    void handleEvent(const QString &name, const QJsonObject &payload);
    // action: "pause", "resume" or "drain". The answer's backend object goes into the model at once.
    void control(const QString &backend, const QString &action, Done done);

private:
    ServerConnection *m_connection;
    BackendsModel *m_model;
    QTimer m_debounce; // job events come in bursts; one reload per burst
};

} // namespace nav::admin
