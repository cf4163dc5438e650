#include "admin-gui/QueueFeed.h"

#include "admin-gui/QueueModel.h"
#include "admin-gui/ServerConnection.h"

#include <QJsonArray>

namespace nav::admin {

QueueFeed::QueueFeed(ServerConnection *connection, QueueModel *model, QObject *parent)
    : QObject(parent), m_connection(connection), m_model(model) {
    m_pollTimer.setInterval(m_fastMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &QueueFeed::reload);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &QueueFeed::reload);
    connect(connection, &ServerConnection::connected, this, [this] {
        reload();
        m_pollTimer.start();
    });
    connect(connection, &ServerConnection::stateChanged, this, [this](ServerConnection::State state) {
        if (state != ServerConnection::State::Connected)
            m_pollTimer.stop();
    });
}

void QueueFeed::setPollIntervals(int withoutEventsMs, int withEventsMs) {
    m_fastMs = withoutEventsMs;
    m_slowMs = withEventsMs;
    m_pollTimer.setInterval(m_live ? m_slowMs : m_fastMs);
}

void QueueFeed::setLive(bool live) {
    m_live = live;
    m_pollTimer.setInterval(live ? m_slowMs : m_fastMs);
    if (live)
        scheduleReload(); // catch up with whatever happened while the stream was down
}

void QueueFeed::reload() {
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_inFlight = true;
    const QString path = QStringLiteral("/api/admin/queue?include_recent=%1").arg(m_recent);
    m_connection->api()->get(path, this, [this, requestedAt = m_model->changeCount()](const ApiReply &reply) {
        m_inFlight = false;
        // The router's own 404 (an older server without the route), or a server running without a queue.
        m_unsupported = (reply.error.kind == ApiError::NotFound &&
                         (reply.error.code.isEmpty() || reply.error.code == QLatin1String("NOT_FOUND"))) ||
                        reply.error.code == QLatin1String("QUEUE_UNAVAILABLE");
        if (m_unsupported) {
            m_lastError = QStringLiteral("This server has no admin queue (GET /api/admin/queue): ") +
                          reply.error.message;
            m_loaded = true; // nothing more will come; the tab explains it
            m_pollTimer.stop();
            emit failed(m_lastError);
        } else if (!reply.ok()) {
            m_lastError = reply.error.message;
            emit failed(m_lastError);
        } else {
            const QJsonObject body = reply.object();
            QJsonArray all = body.value(QStringLiteral("jobs")).toArray();
            for (const QJsonValue &job : body.value(QStringLiteral("recent")).toArray())
                all.append(job);
            m_model->setSnapshot(all, requestedAt);
            m_lastError.clear();
            m_loaded = true;
            emit reloaded();
        }
        if (m_again) {
            m_again = false;
            reload();
        }
    });
}

void QueueFeed::scheduleReload() {
    m_debounce.start();
}

void QueueFeed::handleEvent(const QString &event, const QJsonObject &payload) {
    if (!m_model->applyEvent(event, payload))
        return;
    // Positions and recent lists shift when a job starts or ends; the server has the truth.
    if (event != QLatin1String("task-progress"))
        scheduleReload();
}

void QueueFeed::cancel(const QString &jobId, std::function<void(bool, const QString &)> done) {
    m_connection->api()->post(
        QStringLiteral("/api/queue/interrupt/") + QString::fromUtf8(QUrl::toPercentEncoding(jobId)), {}, this,
        [this, jobId, done](const ApiReply &reply) {
            if (!reply.ok()) {
                done(false, reply.error.message);
                return;
            }
            const QString status = reply.object().value(QStringLiteral("status")).toString();
            if (status == QLatin1String("removed"))
                m_model->removeJob(jobId);
            scheduleReload();
            done(true, status);
        });
}

void QueueFeed::promote(const QString &jobId, std::function<void(bool, const QString &)> done) {
    m_connection->api()->post(
        QStringLiteral("/api/admin/queue/%1/promote").arg(QString::fromUtf8(QUrl::toPercentEncoding(jobId))),
        {}, this, [this, done](const ApiReply &reply) {
            if (!reply.ok())
                return done(false, reply.error.message);
            reload(); // every waiting job's position changed
            done(true,
                 QStringLiteral("position %1").arg(reply.object().value(QStringLiteral("position")).toInt()));
        });
}

} // namespace nav::admin
