#include "admin-gui/UsersFeed.h"

#include "admin-gui/ServerConnection.h"
#include "admin-gui/UsersModel.h"

namespace nav::admin {

namespace {
QString encoded(const QString &segment) {
    return QString::fromUtf8(QUrl::toPercentEncoding(segment));
}
} // namespace

UsersFeed::UsersFeed(ServerConnection *connection, UsersModel *model, QObject *parent)
    : QObject(parent), m_connection(connection), m_model(model) {
    connect(connection, &ServerConnection::connected, this, &UsersFeed::reload);
}

void UsersFeed::load(int page) {
    m_page = std::max(1, page);
    const QString path = QStringLiteral("/api/admin/users?page=%1&limit=%2").arg(m_page).arg(m_pageSize);
    m_connection->api()->get(path, this, [this](const ApiReply &reply) {
        // The router's own 404 (no such route), not a handler's "no such user".
        m_unsupported = reply.error.kind == ApiError::NotFound &&
                        (reply.error.code.isEmpty() || reply.error.code == QLatin1String("NOT_FOUND"));
        if (m_unsupported) {
            m_lastError = QStringLiteral("This server has no users list (GET /api/admin/users).");
            m_loaded = true; // nothing more will come; the tab explains it
            emit failed(m_lastError);
            return;
        }
        if (!reply.ok() || !m_model->setPage(reply.object())) {
            m_lastError =
                reply.ok() ? QStringLiteral("unexpected answer from /api/admin/users") : reply.error.message;
            emit failed(m_lastError);
            return;
        }
        m_lastError.clear();
        m_loaded = true;
        emit reloaded();
    });
}

void UsersFeed::action(const QString &method, const QString &path, const QJsonObject &body, Done done) {
    const auto finish = [this, done](const ApiReply &reply) {
        if (!reply.ok()) {
            done(false, reply.error.message);
            return;
        }
        const QJsonObject object = reply.object();
        const QString message = object.value(QStringLiteral("message")).toString();
        reload();
        done(true, message);
    };
    if (method == QLatin1String("PUT"))
        m_connection->api()->put(path, body, this, finish);
    else
        m_connection->api()->get(path, this, finish);
}

void UsersFeed::authorize(const QString &discordId, Done done) {
    action(QStringLiteral("GET"), QStringLiteral("/api/admin/authorize-user/") + encoded(discordId), {},
           std::move(done));
}

void UsersFeed::disable(const QString &discordId, Done done) {
    action(QStringLiteral("GET"), QStringLiteral("/api/admin/disable-user/") + encoded(discordId), {},
           std::move(done));
}

void UsersFeed::setRole(const QString &discordId, int role, Done done) {
    action(QStringLiteral("PUT"), QStringLiteral("/api/admin/users/%1/role").arg(encoded(discordId)),
           QJsonObject{{QStringLiteral("role"), role}}, std::move(done));
}

} // namespace nav::admin
