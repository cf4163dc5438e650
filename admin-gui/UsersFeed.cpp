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
    : ListFeed(parent), m_connection(connection), m_model(model) {
    connect(connection, &ServerConnection::connected, this, &UsersFeed::reload);
}

void UsersFeed::load(int page) {
    m_page = std::max(1, page);
    const QString path = QStringLiteral("/api/admin/users?page=%1&limit=%2").arg(m_page).arg(m_pageSize);
    m_connection->api()->get(path, this, [this](const ApiReply &reply) {
        // The router's own 404 (no such route), not a handler's "no such user".
        const bool missing = routeMissing(reply) &&
                             (reply.error.code.isEmpty() || reply.error.code == QLatin1String("NOT_FOUND"));
        settle(reply, missing, QStringLiteral("This server has no users list (GET /api/admin/users)."),
               QStringLiteral("/api/admin/users"), [&] { return m_model->setPage(reply.object()); });
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
