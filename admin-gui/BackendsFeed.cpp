#include "admin-gui/BackendsFeed.h"

#include "admin-gui/BackendsModel.h"
#include "admin-gui/ServerConnection.h"

namespace nav::admin {

BackendsFeed::BackendsFeed(ServerConnection *connection, BackendsModel *model, QObject *parent)
    : ListFeed(parent), m_connection(connection), m_model(model) {
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(300);
    connect(&m_debounce, &QTimer::timeout, this, &BackendsFeed::reload);
    connect(connection, &ServerConnection::connected, this, &BackendsFeed::reload);
}

void BackendsFeed::reload() {
    const QString path = QStringLiteral("/api/admin/backends");
    m_connection->api()->get(path, this, [this, path](const ApiReply &reply) {
        settle(reply, routeMissing(reply),
               QStringLiteral("This server has no backend list (GET /api/admin/backends); update Navigator."),
               path, [&] { return m_model->setList(reply.object()); });
    });
}

void BackendsFeed::handleEvent(const QString &name, const QJsonObject &payload) {
    if (m_model->applyEvent(name, payload))
        return;
    static const QStringList jobEvents{"task-started", "task-finished", "task-failed", "task-interrupted"};
    if (jobEvents.contains(name))
        m_debounce.start();
}

void BackendsFeed::control(const QString &backend, const QString &action, Done done) {
    const QString path = QStringLiteral("/api/admin/backends/%1/%2")
                             .arg(QString::fromUtf8(QUrl::toPercentEncoding(backend, ":")), action);
    m_connection->api()->post(path, {}, this, [this, done](const ApiReply &reply) {
        if (!reply.ok())
            return done(false, reply.error.message);
        const QJsonObject backend = reply.object().value(QStringLiteral("backend")).toObject();
        m_model->applyEvent(QStringLiteral("backend-state"), backend);
        done(true, backend.value(QStringLiteral("state")).toString());
    });
}

} // namespace nav::admin
