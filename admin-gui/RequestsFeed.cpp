#include "admin-gui/RequestsFeed.h"

#include "admin-gui/RequestsModel.h"
#include "admin-gui/ServerConnection.h"

namespace nav::admin {

namespace {
constexpr int kListLimit = 200; // the server's page maximum; more pending requests than that is a flood
}

RequestsFeed::RequestsFeed(ServerConnection *connection, RequestsModel *model, QObject *parent)
    : ListFeed(parent), m_connection(connection), m_model(model) {
    connect(connection, &ServerConnection::connected, this, &RequestsFeed::reload);
}

void RequestsFeed::reload() {
    const QString path = QStringLiteral("/api/admin/access-requests?status=pending&limit=%1").arg(kListLimit);
    m_connection->api()->get(path, this, [this](const ApiReply &reply) {
        // The router's 404 means a Navigator from before access requests.
        settle(reply, routeMissing(reply),
               QStringLiteral("This server does not record access requests "
                              "(GET /api/admin/access-requests); update Navigator."),
               QStringLiteral("/api/admin/access-requests"),
               [&] { return m_model->setList(reply.object()); });
    });
}

void RequestsFeed::handleEvent(const QString &name, const QJsonObject &payload) {
    if (name != QLatin1String("access-requested"))
        return;
    if (m_model->upsert(payload))
        emit requestArrived(payload);
}

void RequestsFeed::decide(const QString &discordId, const QString &action, const QJsonObject &body,
                          Done done) {
    const QString path = QStringLiteral("/api/admin/access-requests/%1/%2")
                             .arg(QString::fromUtf8(QUrl::toPercentEncoding(discordId)), action);
    m_connection->api()->post(path, body, this, [this, discordId, done](const ApiReply &reply) {
        if (!reply.ok())
            return done(false, reply.error.message);
        m_model->remove(discordId);
        emit decided(discordId);
        done(true, reply.object().value(QStringLiteral("status")).toString());
    });
}

void RequestsFeed::approve(const QString &discordId, int role, Done done) {
    decide(discordId, QStringLiteral("approve"), QJsonObject{{QStringLiteral("role"), role}},
           std::move(done));
}

void RequestsFeed::deny(const QString &discordId, Done done) {
    decide(discordId, QStringLiteral("deny"), {}, std::move(done));
}

} // namespace nav::admin
