#include "server/api/LoraRoutes.h"

#include "server/api/BackendError.h"
#include "server/api/QueryBoolean.h"
#include "server/loras/LoraService.h"

namespace nav::api {

void listLoras(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const bool forgeOnly = queryBoolean(req, QStringLiteral("forge_only"));
    const bool force = queryBoolean(req, QStringLiteral("force_update_metadata"));
    if (force && caller.role < auth::RoleArtificer)
        return res.error(403, QStringLiteral("You are not authorized to force refresh metadata."),
                         QStringLiteral("FORBIDDEN"));
    auto answer = [res](const QJsonArray &list, const std::optional<forge::ForgeError> &error) mutable {
        if (error)
            return answerBackendError(res, *error);
        res.json(200, list);
    };
    if (forgeOnly)
        s.loras->forgeLoras(answer);
    else
        s.loras->loras(force, answer);
}

void setLoraOverride(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString hash = req.param("hash");
    if (hash.isEmpty() || hash.size() > 255)
        return res.error(400, QStringLiteral("The hash must be 1 to 255 characters"),
                         QStringLiteral("INVALID_HASH"));
    const auto body = req.jsonBody();
    QString problem = QStringLiteral("The body must be a JSON object");
    const auto override = body ? loras::LoraService::validOverride(*body, &problem) : std::nullopt;
    if (!override)
        return res.error(400, QStringLiteral("Invalid override format: ") + problem,
                         QStringLiteral("INVALID_OVERRIDE"));
    const QString name = override->value("name").toString();
    s.loras->setOverride(hash, *override, [res, name, hash](const std::optional<QString> &error) mutable {
        if (error)
            return res.error(500, QStringLiteral("The override could not be stored"),
                             QStringLiteral("DATABASE_ERROR"));
        res.json(200,
                 QJsonObject{
                     {"message",
                      QStringLiteral("Successfully set local override for lora %1 (%2)").arg(name, hash)}});
    });
}

} // namespace nav::api
