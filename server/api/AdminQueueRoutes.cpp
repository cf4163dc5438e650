#include "server/api/AdminQueueRoutes.h"

#include <QJsonObject>

namespace nav::api {

namespace {

QJsonObject callerJson(const auth::Caller &caller) {
    return QJsonObject{{QStringLiteral("discord_id"), caller.discordId},
                       {QStringLiteral("role"), caller.role},
                       {QStringLiteral("superuser"), caller.superuser}};
}

} // namespace

// The services outlive the server (both are owned by main), so the handlers hold plain pointers.
void registerAdminQueueRoutes(http::HttpServer &server, auth::AuthService &auth, AdminStatusService &status) {
    auth::AuthService *guard = &auth;
    AdminStatusService *service = &status;
    server.get("/api/admin/status", [guard, service](const http::Request &req, http::Responder res) {
        guard->require(req, res, auth::RoleArchitect, [res, service](const auth::Caller &caller) {
            service->status([res, caller](const QJsonObject &status) mutable {
                QJsonObject body = status;
                body.insert(QStringLiteral("caller"), callerJson(caller));
                res.json(200, body);
            });
        });
    });
}

} // namespace nav::api
