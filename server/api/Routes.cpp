// The route table: every HTTP route Navigator serves, in one place. To add a route, write its handler (the
// RouteHandler signature, in the area's *Routes.cpp, declared in its header) and add one row here; see
// docs/ARCHITECTURE.md, "Adding a route".
#include "server/api/Route.h"

#include "server/api/AccessRequestRoutes.h"
#include "server/api/AdminBackendRoutes.h"
#include "server/api/AdminHistoryRoutes.h"
#include "server/api/AdminQueueRoutes.h"
#include "server/api/AdminRoutes.h"
#include "server/api/AuthRoutes.h"
#include "server/api/CivitaiRoutes.h"
#include "server/api/EmbedRoutes.h"
#include "server/api/ImageRoutes.h"
#include "server/api/LoraRoutes.h"
#include "server/api/ModelRoutes.h"
#include "server/api/OpsRoutes.h"
#include "server/api/QueueRoutes.h"
#include "server/api/SystemRoutes.h"
#include "server/api/UserRoutes.h"
#include "server/auth/AuthService.h"

namespace nav::api {

using namespace nav::auth; // the Role* names of the minRole column

const std::vector<Route> &routes() {
    // clang-format off
    static const std::vector<Route> table = {
        // method   path                                           minRole         operationId / handler
        {"GET",    "/",                                            kPublic,        "getRoot", getRoot},
        {"GET",    "/api/config/limits",                           kPublic,        "getLimits", getLimits},
        {"GET",    "/api/config/version",                          kPublic,        "getVersion", getVersion},
        {"GET",    "/healthz",                                     kPublic,        "getHealth", getHealth},
        {"GET",    "/readyz",                                      kPublic,        "getReadiness", getReadiness},
        {"GET",    "/metrics",                                     kPublic,        "getMetrics", getMetrics}, // METRICS_TOKEN
        {"GET",    "/api/openapi.json",                            kPublic,        "getOpenApi", getOpenApi},

        {"POST",   "/api/auth/login",                              kPublic,        "login", login},

        {"GET",    "/api/user/me",                                 RoleApprentice, "getMe", getMe},
        {"GET",    "/api/user/jobs",                               RoleApprentice, "listMyImages", listMyImages},
        {"DELETE", "/api/user/image/:id",                          RoleApprentice, "deleteMyImage", deleteMyImage},
        {"GET",    "/api/user/image/:id/meta",                     RoleApprentice, "getImageMeta", getImageMeta},
        {"PUT",    "/api/user/image/:id/category",                 RoleApprentice, "setImageCategory", setImageCategory},
        {"GET",    "/api/user/categories",                         RoleApprentice, "listCategories", listCategories},
        {"POST",   "/api/user/category",                           RoleApprentice, "createCategory", createCategory},
        {"PATCH",  "/api/user/category/:id",                       RoleApprentice, "renameCategory", renameCategory},
        {"DELETE", "/api/user/category/:id",                       RoleApprentice, "deleteCategory", deleteCategory},

        {"GET",    "/api/admin/authorize-user/:discordId",         RoleArchitect,  "authorizeUser", authorizeUser},
        {"GET",    "/api/admin/disable-user/:discordId",           RoleArchitect,  "disableUser", disableUser},
        {"GET",    "/api/admin/users",                             RoleArchitect,  "listUsers", listUsers},
        {"GET",    "/api/admin/users/:id",                         RoleArchitect,  "getUser", getUser},
        {"PUT",    "/api/admin/users/:id/role",                    RoleArchitect,  "setUserRole", setUserRole},
        {"GET",    "/api/admin/access-requests",                   RoleArchitect,  "listAccessRequests", listAccessRequests},
        {"POST",   "/api/admin/access-requests/:discordId/approve",RoleArchitect,  "approveAccessRequest", approveAccessRequest},
        {"POST",   "/api/admin/access-requests/:discordId/deny",   RoleArchitect,  "denyAccessRequest", denyAccessRequest},

        {"GET",    "/api/models",                                  kPublic,        "listModels", listModels},
        {"GET",    "/api/samplers",                                kPublic,        "listSamplers", listSamplers},
        {"GET",    "/api/schedulers",                              kPublic,        "listSchedulers", listSchedulers},
        {"GET",    "/api/upscalers",                               kPublic,        "listUpscalers", listUpscalers},
        {"GET",    "/api/modules",                                 kPublic,        "listModules", listModules},
        {"GET",    "/api/models/embeddings",                       kPublic,        "listEmbeddings", listEmbeddings},
        {"GET",    "/api/models/loras",                            RoleApprentice, "listLoras", listLoras},
        {"POST",   "/api/models/loras/override/:hash",             RoleArchitect,  "setLoraOverride", setLoraOverride},

        {"GET",    "/3papi/test_civitai",                          kPublic,        "testCivitai", testCivitai},
        {"GET",    "/3papi/civitai/downloads_enabled",             RoleApprentice, "getDownloadsEnabled", getDownloadsEnabled},
        {"GET",    "/3papi/civitai/download/:modelVersionId",      RoleArtificer,  "downloadModel", downloadModel},
        {"GET",    "/3papi/civitai/api-proxy/*",                   RoleApprentice, "proxyCivitai", proxyCivitai},

        {"GET",    "/embed/:jobId",                                kPublic,        "getEmbedPage", getEmbedPage},

        {"POST",   "/api/queue/user/txt2img",                      RoleApprentice, "submitTxt2img", submitTxt2img},
        {"POST",   "/api/queue/txt2img",                           kPublic,        "submitTxt2imgLegacy", submitTxt2imgLegacy},
        {"POST",   "/api/queue/user/img2img",                      RoleApprentice, "submitImg2img", submitImg2img},
        {"POST",   "/api/queue/img2img",                           kPublic,        "submitImg2imgLegacy", submitImg2imgLegacy},
        {"POST",   "/api/queue/user/txt2img/upscale-hrf/:jobId",   RoleApprentice, "submitUpscale", submitUpscale},
        {"POST",   "/api/queue/interrupt/:jobId",                  RoleApprentice, "interruptJob", interruptJob},
        {"GET",    "/api/queue",                                   RoleApprentice, "listMyJobs", listMyJobs},
        {"GET",    "/api/queue/jobs/:jobId",                       RoleApprentice, "getJob", getJob},

        {"GET",    "/api/images/:jobId",                           kPublic,        "getImage", getImage},
        {"GET",    "/api/images/:jobId/info",                      kPublic,        "getImageInfo", getImageInfo},
        {"GET",    "/api/previews/:jobId",                         kPublic,        "getPreview", getPreview},

        {"GET",    "/api/admin/status",                            RoleArchitect,  "getAdminStatus", getAdminStatus},
        {"GET",    "/api/admin/queue",                             RoleArchitect,  "getAdminQueue", getAdminQueue},
        {"POST",   "/api/admin/queue/:jobId/promote",              RoleArchitect,  "promoteJob", promoteJob},
        {"GET",    "/api/admin/backends",                          RoleArchitect,  "getAdminBackends", getAdminBackends},
        {"POST",   "/api/admin/backends/:name/pause",              RoleArchitect,  "pauseBackend", pauseBackend},
        {"POST",   "/api/admin/backends/:name/resume",             RoleArchitect,  "resumeBackend", resumeBackend},
        {"POST",   "/api/admin/backends/:name/drain",              RoleArchitect,  "drainBackend", drainBackend},
        {"GET",    "/api/admin/history",                           RoleArchitect,  "getAdminHistory", getAdminHistory},
        {"GET",    "/api/admin/usage",                             RoleArchitect,  "getAdminUsage", getAdminUsage},
        {"GET",    "/api/admin/activity",                          RoleArchitect,  "getAdminActivity", getAdminActivity},
    };
    // clang-format on
    return table;
}

void registerRoutes(http::HttpServer &server, Services &services, const RouteFilter &include) {
    Services *s = &services;
    for (const Route &route : routes()) {
        if (include && !include(route))
            continue;
        const RouteHandler handler = route.handler;
        const int minRole = route.minRole;
        server.route(route.method, QString::fromLatin1(route.path),
                     [s, handler, minRole](const http::Request &req, http::Responder res) {
                         if (minRole == kPublic)
                             return handler(*s, req, res, auth::Caller{});
                         s->auth->require(req, res, minRole,
                                          [s, handler, req, res](const auth::Caller &caller) {
                                              handler(*s, req, res, caller);
                                          });
                     });
    }
}

RouteFilter onlyOperations(const QStringList &operationIds) {
    return [operationIds](const Route &route) {
        return operationIds.contains(QString::fromLatin1(route.operationId));
    };
}

QString roleName(int minRole) {
    switch (minRole) {
    case kPublic:
        return QStringLiteral("public");
    case RoleApprentice:
        return QStringLiteral("apprentice (1)");
    case RoleArtificer:
        return QStringLiteral("artificer (2)");
    case RoleArchitect:
        return QStringLiteral("architect (3)");
    case RoleApex:
        return QStringLiteral("apex (4)");
    default:
        return QString::number(minRole);
    }
}

QString describeRoutes() {
    QString text;
    for (const Route &route : routes())
        text += QStringLiteral("%1 %2 %3 %4\n")
                    .arg(QString::fromLatin1(route.method), -6)
                    .arg(QString::fromLatin1(route.path), -46)
                    .arg(roleName(route.minRole), -15)
                    .arg(QString::fromLatin1(route.operationId));
    return text;
}

} // namespace nav::api
