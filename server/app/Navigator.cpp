#include "server/app/Navigator.h"

#include "server/api/AdminBackendRoutes.h"
#include "server/api/Route.h"
#include "server/common/WorkerPriority.h"
#include "server/http/FileDescriptorLimit.h"
#include "server/ops/ServiceNotify.h"
#include "server/queue/BackendRouting.h"
#include "server/queue/BackendWorker.h"

#include <QCoreApplication>

namespace nav::app {

Q_LOGGING_CATEGORY(lcApp, "navigator.main")

namespace {

// The limits of both listening ports. Raises the file descriptor limit first: the connection cap follows it.
http::ConnectionLimits connectionLimits(const config::Config &config) {
    http::ConnectionLimits limits;
    limits.maxBodyBytes = config.maxBodyBytes;
    limits.idleTimeoutMs = config.httpIdleTimeoutMs;
    limits.headerTimeoutMs = config.httpHeaderTimeoutMs;
    limits.bodyTimeoutMs = config.httpBodyTimeoutMs;
    const long descriptors = http::raiseFileDescriptorLimit();
    limits.maxConnections = http::connectionCapFor(descriptors, config.httpMaxConnections);
    if (limits.maxConnections < config.httpMaxConnections)
        qCWarning(lcApp) << "HTTP_MAX_CONNECTIONS lowered to" << limits.maxConnections
                         << "per port: the file descriptor limit (ulimit -n) is" << descriptors;
    limits.maxConnectionsPerAddress = config.httpMaxConnectionsPerIp;
    // A trusted reverse proxy carries many clients on its connections: it is not capped per address.
    limits.exemptFromAddressLimit = [trust = config.trustProxy](const QHostAddress &peer) {
        return trust.enabled() && trust.trusts(peer, 0);
    };
    limits.bodyBudget = std::make_shared<http::BodyBudget>(config.httpBodyBudgetBytes);
    return limits;
}

http::AccessLog accessLog(const config::Config &config) {
    if (config.accessLog == QLatin1String("all"))
        return http::AccessLog::All;
    if (config.accessLog == QLatin1String("off"))
        return http::AccessLog::Off;
    return http::AccessLog::Errors;
}

realtime::RealtimeSettings realtimeSettings(const config::Config &config,
                                            const http::ConnectionLimits &limits) {
    realtime::RealtimeSettings settings;
    settings.pingIntervalMs = config.rtPingIntervalMs;
    settings.pingTimeoutMs = config.rtPingTimeoutMs;
    settings.maxPayload = config.rtMaxPayload;
    settings.maxSessions = config.rtMaxSessions;
    settings.trustProxy = config.trustProxy;
    settings.connection = limits;
    return settings;
}

civitai::ModelDownloadService::Options downloadOptions(const config::Config &config) {
    civitai::ModelDownloadService::Options options;
    options.modelDir = config.modelDir;
    options.maxConcurrent = config.maxConcurrentDownloads;
    options.minFreeSpacePercent = config.minFreeSpacePercent;
    options.supportsFlux = config.supportsFlux;
    return options;
}

queue::QueueSettings queueSettings(const config::Config &config) {
    queue::QueueSettings settings;
    settings.maxQueueLength = config.maxQueueLength;
    settings.maxJobsPerUser = config.maxJobsPerUser;
    settings.maxSkips = config.schedulerMaxSkips;
    settings.maxWaitMs = config.jobMaxWaitMs;
    return settings;
}

queue::WorkerSettings workerSettings(const config::Config &config) {
    queue::WorkerSettings settings;
    settings.progressIntervalMs = static_cast<int>(config.jobProgressCheckIntervalMs);
    settings.generationTimeoutMs = static_cast<int>(config.forgeGenerationTimeoutMs);
    settings.unloadAfterMs = config.checkpointUnloadIntervalMin * 60 * 1000;
    settings.probeMaxIntervalMs = static_cast<int>(config.backendProbeMaxMs);
    return settings;
}

} // namespace

std::unique_ptr<Navigator> Navigator::create(const config::Config &config, StartFailure *failure) {
    common::setWorkerNiceOffset(config.workerNice); // before the database pool takes any work
    QString error;
    auto database = store::Database::open(config.db, &error);
    if (!database) {
        *failure = {kExitDatabase, error};
        return nullptr;
    }
    if (!database->migrate(&error)) {
        *failure = {kExitDatabase,
                    QStringLiteral("database migration failed (%1): %2").arg(database->describe(), error)};
        return nullptr;
    }
    return std::unique_ptr<Navigator>(new Navigator(config, std::move(database)));
}

Navigator::Navigator(const config::Config &config, std::unique_ptr<store::Database> database)
    : m_config(config), m_database(std::move(database)), m_limits(connectionLimits(m_config)),
      m_http(m_limits), m_users(*m_database), m_imageCache(qint64(m_config.imageCacheMb) << 20),
      m_images(*m_database, &m_imageCache), m_categories(*m_database),
      m_auth(m_config, [this](const QString &id) { return m_users.resolveRole(id); }),
      m_discord({m_config.discordApiBase, m_config.discordClientId, m_config.discordClientSecret,
                 m_config.discordRedirectUri, m_config.botToken}),
      m_realtime(realtimeSettings(m_config, m_limits),
                 [this](const QString &token, auto done) {
                     m_auth.verifyToken(token, [done](std::optional<auth::Caller> caller) {
                         done(caller ? std::optional(realtime::Identity{caller->discordId, caller->role})
                                     : std::nullopt);
                     });
                 }),
      m_administration(m_users, m_discord), m_profiles(*m_database),
      m_access(m_profiles, m_administration, m_config.accessRequestsMax,
               [this](const QString &event, const QJsonObject &payload) {
                   m_realtime.emitToAdmins(event, payload);
               }),
      m_login(m_auth, m_discord, &m_access), m_forge(m_config.sdApiHost, m_config.sdApiBase()),
      m_catalog(&m_forge, m_config.catalogCacheTtlMs),
      m_broadcast(
          [this](const QString &event, const QJsonObject &payload) { m_realtime.emitToAll(event, payload); }),
      m_models(*m_database), m_modelMetadata(*m_database), m_fileHashes(*m_database),
      m_civitai(m_config.civitaiApiBase, m_config.civitaiApiKey,
                {int(m_config.civitaiTimeoutMs), m_config.civitaiProxyMaxBytes}),
      m_downloads(&m_civitai, &m_catalog, downloadOptions(m_config), civitai::freeSpaceProbe(), m_broadcast),
      m_loras(&m_catalog, &m_civitai, &m_modelMetadata, &m_fileHashes,
              {m_config.enableLoraSupport, m_config.modelDir, m_config.loraMetadataMaxAgeMs}),
      m_jobs(*m_database, &m_imageCache),
      m_queue(
          m_jobs,
          [this](const QString &owner, const QString &origin, const QString &event,
                 const QJsonObject &payload) { m_realtime.emitJobEvent(owner, origin, event, payload); },
          queueSettings(m_config)),
      m_submissions(m_queue, m_jobs, m_categories, m_catalog), m_adminStatus(&m_forge, adminStatusSources()),
      m_adminQueue(m_queue, m_jobs), m_jobStats(*m_database), m_databaseStatus(*m_database),
      m_readiness(*m_database, [this] { return m_queue.backends(); }, {}),
      m_modelRefresh(m_config.modelRefreshIntervalMs),
      m_privilegeRecheck(m_users, m_realtime, m_config.rtPrivilegeRecheckMs) {
    m_http.setAccessLog(accessLog(m_config));
    m_queue.setMaxRetryDelay(static_cast<int>(m_config.dbRetryMaxDelayMs));
    addBackends();
    connectEvents();
    fillServices();
    api::registerRoutes(m_http, m_services);
}

Navigator::~Navigator() = default;

void Navigator::addBackends() {
    for (const QUrl &url : m_config.sdApiHosts) {
        auto *client = new forge::ForgeClient(url, config::Config::sdApiBaseOf(url), &m_queue);
        auto *worker =
            new queue::BackendWorker(forge::backendName(url), client, workerSettings(m_config), &m_queue);
        m_queue.addBackend(worker);
        worker->refreshLoadedModel();
    }
    queue::followUpBackend(m_queue, m_forge, m_catalog);
}

void Navigator::connectEvents() {
    // A role written through the API reaches the guard's cache before the admin's answer is sent.
    QObject::connect(&m_administration, &auth::UserAdministration::roleWritten, &m_auth,
                     &auth::AuthService::forgetRole);
    QObject::connect(&m_administration, &auth::UserAdministration::roleChanged, &m_realtime,
                     &realtime::RealtimeHub::userRoleChanged);
    QObject::connect(&m_queue, &queue::JobQueue::backendStateChanged, &m_realtime,
                     [this](queue::BackendWorker *worker) {
                         m_realtime.emitToAdmins(QStringLiteral("backend-state"),
                                                 api::backendJson(*worker, m_queue.runningOn(*worker)));
                     });
}

void Navigator::fillServices() {
    m_services.config = &m_config;
    m_services.auth = &m_auth;
    m_services.login = &m_login;
    m_services.administration = &m_administration;
    m_services.access = &m_access;
    m_services.users = &m_users;
    m_services.images = &m_images;
    m_services.categories = &m_categories;
    m_services.jobs = &m_jobs;
    m_services.jobStats = &m_jobStats;
    m_services.models = &m_models;
    m_services.profiles = &m_profiles;
    m_services.forge = &m_forge;
    m_services.catalog = &m_catalog;
    m_services.civitai = &m_civitai;
    m_services.downloads = &m_downloads;
    m_services.loras = &m_loras;
    m_services.queue = &m_queue;
    m_services.submissions = &m_submissions;
    m_services.realtime = &m_realtime;
    m_services.adminStatus = &m_adminStatus;
    m_services.adminQueue = &m_adminQueue;
    m_services.ownerNames = [this](const QStringList &ids) { return m_profiles.displayNames(ids); };
    m_services.readiness = &m_readiness;
    m_services.modelRefresh = &m_modelRefresh;
    m_services.broadcast = m_broadcast;
}

api::AdminStatusService::Sources Navigator::adminStatusSources() {
    api::AdminStatusService::Sources sources;
    sources.connectedClients = [this] { return m_realtime.connectedClients(); };
    sources.queuedJobs = [this] { return static_cast<int>(m_queue.queued().size()); };
    sources.runningJobs = [this] { return static_cast<int>(m_queue.running().size()); };
    // The first backend's first-pass-image patch state (GET /api/admin/backends has every backend).
    sources.firstPassPatch = [this] {
        return queue::firstPassPatchName(m_queue.backends().first()->firstPassPatch());
    };
    sources.database = [this] { return m_databaseStatus.current(); };
    return sources;
}

bool Navigator::start(std::function<void(const StartFailure &)> fatal, StartFailure *failure) {
    m_queue.recover([fatal](const QString &error) {
        if (!error.isEmpty())
            fatal({kExitDatabase, QStringLiteral("cannot resume the job queue: ") + error});
    });
    const QHostAddress address(m_config.bindAddress);
    if (!m_http.listen(address, static_cast<quint16>(m_config.httpPort))) {
        *failure = {kExitListen, QStringLiteral("cannot listen on %1:%2 (HTTP_API_PORT): %3")
                                     .arg(m_config.bindAddress)
                                     .arg(m_config.httpPort)
                                     .arg(m_http.errorString())};
        return false;
    }
    if (!m_realtime.listen(address, static_cast<quint16>(m_config.rtPort))) {
        *failure = {kExitListen, QStringLiteral("cannot listen on %1:%2 (RT_API_PORT): %3")
                                     .arg(m_config.bindAddress)
                                     .arg(m_config.rtPort)
                                     .arg(m_realtime.errorString())};
        return false;
    }
    // SIGTERM/SIGINT: finish or re-queue the running job, flush, close the sockets, exit 0.
    m_shutdown = std::make_unique<lifecycle::GracefulShutdown>(m_queue, m_realtime, m_config.shutdownGraceMs);
    qCInfo(lcApp).noquote() << QStringLiteral("HTTP API listening on http://%1:%2, socket.io on port %3")
                                   .arg(m_config.bindAddress)
                                   .arg(m_http.port())
                                   .arg(m_realtime.port());
    ops::notifyReady();
    QObject::connect(m_shutdown.get(), &lifecycle::GracefulShutdown::started, [] { ops::notifyStopping(); });
    return true;
}

} // namespace nav::app
