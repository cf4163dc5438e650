#pragma once
// What the route handlers may use: one pointer per service, all owned by the application object
// (server/app/Navigator) and alive for as long as the HTTP server is. A test that serves only some routes
// fills only the services those routes use.
#include "server/common/Broadcast.h"

#include <QFuture>
#include <QHash>
#include <QStringList>

#include <functional>

namespace nav::config {
struct Config;
}
namespace nav::auth {
class AccessRequestService;
class AuthService;
class LoginService;
class UserAdministration;
} // namespace nav::auth
namespace nav::store {
class CategoryRepository;
class DiscordProfileRepository;
class ImageRepository;
class JobRepository;
class JobStatsRepository;
class ModelRepository;
class UserRepository;
} // namespace nav::store
namespace nav::forge {
class ForgeCatalog;
class ForgeClient;
} // namespace nav::forge
namespace nav::civitai {
class CivitaiClient;
class ModelDownloadService;
} // namespace nav::civitai
namespace nav::loras {
class LoraService;
}
namespace nav::queue {
class JobQueue;
class SubmissionService;
} // namespace nav::queue
namespace nav::realtime {
class RealtimeHub;
}

namespace nav::api {

class AdminQueueSource;
class AdminStatusService;
class ReadinessCheck;
class RefreshThrottle;

// Display names of owner ids (ids without a name left out).
using OwnerNameLookup = std::function<QFuture<QHash<QString, QString>>(const QStringList &ownerIds)>;

struct Services {
    const config::Config *config = nullptr;
    auth::AuthService *auth = nullptr; // also the guard for every row with a minimum role
    auth::LoginService *login = nullptr;
    auth::UserAdministration *administration = nullptr;
    auth::AccessRequestService *access = nullptr;
    store::UserRepository *users = nullptr;
    store::ImageRepository *images = nullptr;
    store::CategoryRepository *categories = nullptr;
    store::JobRepository *jobs = nullptr;
    store::JobStatsRepository *jobStats = nullptr;
    store::ModelRepository *models = nullptr;
    store::DiscordProfileRepository *profiles = nullptr;
    forge::ForgeClient *forge = nullptr; // the lookup client: follows a backend that is up
    forge::ForgeCatalog *catalog = nullptr;
    civitai::CivitaiClient *civitai = nullptr;
    civitai::ModelDownloadService *downloads = nullptr;
    loras::LoraService *loras = nullptr;
    queue::JobQueue *queue = nullptr;
    queue::SubmissionService *submissions = nullptr; // checks a new job and queues it
    realtime::RealtimeHub *realtime = nullptr;
    AdminStatusService *adminStatus = nullptr;
    AdminQueueSource *adminQueue = nullptr; // null: GET /api/admin/queue answers 503
    OwnerNameLookup ownerNames;             // empty: owner_name is always null in the admin queue
    ReadinessCheck *readiness = nullptr;
    RefreshThrottle *modelRefresh = nullptr; // GET /api/models?refresh=true, MODEL_REFRESH_INTERVAL
    common::Broadcast broadcast;             // to every realtime client (models-refreshed, ...)
};

} // namespace nav::api
