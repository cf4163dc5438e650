#pragma once
// The application: owns every service, in construction order (a member may use the ones declared above it;
// destruction runs in reverse), fills api::Services for the route table and listens. main.cpp only parses
// the command line, loads the configuration, creates a Navigator and runs the event loop.
#include "server/api/AdminStatusService.h"
#include "server/api/DatabaseStatus.h"
#include "server/api/JobQueueAdminSource.h"
#include "server/api/ReadinessCheck.h"
#include "server/api/RefreshThrottle.h"
#include "server/api/Services.h"
#include "server/app/PrivilegeRecheck.h"
#include "server/auth/AccessRequestService.h"
#include "server/auth/AuthService.h"
#include "server/auth/DiscordClient.h"
#include "server/auth/LoginService.h"
#include "server/auth/UserAdministration.h"
#include "server/civitai/CivitaiClient.h"
#include "server/civitai/ModelDownloadService.h"
#include "server/config/Config.h"
#include "server/forge/ForgeCatalog.h"
#include "server/forge/ForgeClient.h"
#include "server/http/HttpServer.h"
#include "server/lifecycle/GracefulShutdown.h"
#include "server/loras/LoraService.h"
#include "server/queue/JobQueue.h"
#include "server/queue/SubmissionService.h"
#include "server/realtime/RealtimeHub.h"
#include "server/store/CategoryRepository.h"
#include "server/store/Database.h"
#include "server/store/DiscordProfileRepository.h"
#include "server/store/FileHashRepository.h"
#include "server/store/ImageCache.h"
#include "server/store/ImageRepository.h"
#include "server/store/JobRepository.h"
#include "server/store/JobStatsRepository.h"
#include "server/store/ModelMetadataRepository.h"
#include "server/store/ModelRepository.h"
#include "server/store/UserRepository.h"

#include <QLoggingCategory>

#include <functional>
#include <memory>

namespace nav::app {

Q_DECLARE_LOGGING_CATEGORY(lcApp) // navigator.main

// Exit codes, documented in the README and in navigator --help.
constexpr int kExitConfig = 2;
constexpr int kExitDatabase = 3;
constexpr int kExitListen = 4;

struct StartFailure {
    int exitCode = 0;
    QString message;
};

class Navigator final {
public:
    // Opens and migrates the database and builds every service; nothing listens yet.
    static std::unique_ptr<Navigator> create(const config::Config &config, StartFailure *failure);
    ~Navigator();
    Navigator(const Navigator &) = delete;
    Navigator &operator=(const Navigator &) = delete;

    // Resumes the job queue from the database, listens on HTTP_API_PORT and RT_API_PORT, installs the
    // graceful shutdown on SIGTERM/SIGINT and tells systemd it is ready. A queue that cannot be resumed is
    // reported through `fatal`, later, from the event loop.
    bool start(std::function<void(const StartFailure &)> fatal, StartFailure *failure);

private:
    Navigator(const config::Config &config, std::unique_ptr<store::Database> database);
    void addBackends();
    void connectEvents();
    void fillServices();
    api::AdminStatusService::Sources adminStatusSources();

    const config::Config m_config;
    std::unique_ptr<store::Database> m_database;
    http::ConnectionLimits m_limits; // both ports share them (and the body budget)
    http::HttpServer m_http;
    store::UserRepository m_users;
    store::ImageCache m_imageCache;
    store::ImageRepository m_images;
    store::CategoryRepository m_categories;
    auth::AuthService m_auth;
    auth::DiscordClient m_discord;
    realtime::RealtimeHub m_realtime;
    auth::UserAdministration m_administration;
    store::DiscordProfileRepository m_profiles;
    auth::AccessRequestService m_access;
    auth::LoginService m_login;
    forge::ForgeClient m_forge; // lookups (catalog, png-info): follows a backend that is up
    forge::ForgeCatalog m_catalog;
    common::Broadcast m_broadcast; // to every realtime client
    store::ModelRepository m_models;
    store::ModelMetadataRepository m_modelMetadata;
    store::FileHashRepository m_fileHashes;
    civitai::CivitaiClient m_civitai;
    civitai::ModelDownloadService m_downloads;
    loras::LoraService m_loras;
    store::JobRepository m_jobs;
    queue::JobQueue m_queue; // owns one BackendWorker (and its ForgeClient) per SD_API_HOST entry
    queue::SubmissionService m_submissions;
    api::AdminStatusService m_adminStatus;
    api::JobQueueAdminSource m_adminQueue;
    store::JobStatsRepository m_jobStats;
    api::DatabaseStatus m_databaseStatus; // the database part of GET /api/admin/status
    api::ReadinessCheck m_readiness;
    api::RefreshThrottle m_modelRefresh;
    api::Services m_services;
    PrivilegeRecheck m_privilegeRecheck;
    std::unique_ptr<lifecycle::GracefulShutdown> m_shutdown; // from start() on
};

} // namespace nav::app
