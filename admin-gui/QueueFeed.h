#pragma once
// Keeps a QueueModel in step with the server: loads GET /api/admin/queue (with recent finished jobs) on
// connect, after every job lifecycle event and on a timer, applies socket.io job events in between, and
// sends the admin's cancel/remove. The timer is fast while no event stream is up, slow while one is.
#include "admin-gui/ApiClient.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace nav::admin {

class QueueModel;
class ServerConnection;

class QueueFeed : public QObject {
    Q_OBJECT
public:
    QueueFeed(ServerConnection *connection, QueueModel *model, QObject *parent = nullptr);

    void reload();
    // Feed one socket.io event in (from the realtime link).
    void handleEvent(const QString &event, const QJsonObject &payload);
    // Tells the feed whether live events are arriving; without them it polls faster.
    void setLive(bool live);

    // POST /api/queue/interrupt/:jobId. Calls back with the server's status ("removed", "interrupted")
    // or an error message.
    void cancel(const QString &jobId, std::function<void(bool ok, const QString &statusOrError)> done);
    // POST /api/admin/queue/:jobId/promote: the waiting job goes to the front of the dispatch order. Calls
    // back with "position 1" or an error message; the queue is reloaded for the new positions.
    void promote(const QString &jobId, std::function<void(bool ok, const QString &positionOrError)> done);

    bool loaded() const { return m_loaded; }
    // True when the server has no admin queue (an older Navigator): the tab says so instead of failing.
    bool unsupported() const { return m_unsupported; }
    QString lastError() const { return m_lastError; }
    void setRecentCount(int count) { m_recent = count; }
    void setPollIntervals(int withoutEventsMs, int withEventsMs);

signals:
    void reloaded();
    void failed(const QString &message);

private:
    void scheduleReload();

    ServerConnection *m_connection;
    QueueModel *m_model;
    QTimer m_pollTimer;
    QTimer m_debounce;
    int m_recent = 20;
    int m_slowMs = 15000;
    int m_fastMs = 2000;
    bool m_live = false;
    bool m_loaded = false;
    bool m_unsupported = false;
    bool m_inFlight = false;
    bool m_again = false;
    QString m_lastError;
};

} // namespace nav::admin
