// Navigator: wiring only. Config -> store -> backends -> queue -> http + realtime.
#include "server/api/AccessRequestRoutes.h"
#include "server/api/AdminBackendRoutes.h"
#include "server/api/AdminHistoryRoutes.h"
#include "server/api/AdminQueueRoutes.h"
#include "server/api/AdminRoutes.h"
#include "server/api/AdminStatusService.h"
#include "server/api/AuthRoutes.h"
#include "server/api/CivitaiRoutes.h"
#include "server/api/DatabaseStatus.h"
#include "server/api/EmbedRoutes.h"
#include "server/api/ImageRoutes.h"
#include "server/api/JobQueueAdminSource.h"
#include "server/api/LoraRoutes.h"
#include "server/api/ModelRoutes.h"
#include "server/api/OpsRoutes.h"
#include "server/api/QueueRoutes.h"
#include "server/api/SystemRoutes.h"
#include "server/api/UserRoutes.h"
#include "server/config/Config.h"
#include "server/forge/ForgeCatalog.h"
#include "server/http/FileDescriptorLimit.h"
#include "server/http/HttpServer.h"
#include "server/lifecycle/GracefulShutdown.h"
#include "server/ops/Logging.h"
#include "server/ops/ServiceNotify.h"
#include "server/queue/BackendRouting.h"
#include "server/queue/JobQueue.h"
#include "server/realtime/ConformanceServer.h"
#include "server/realtime/RealtimeHub.h"
#include "server/store/Database.h"
#include "server/store/DiscordProfileRepository.h"
#include "server/store/FileHashRepository.h"
#include "server/store/JobRepository.h"
#include "server/store/ModelMetadataRepository.h"
#include "server/store/ModelRepository.h"
#include "server/thirdparty/Broadcast.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>

Q_LOGGING_CATEGORY(lcMain, "navigator.main")

namespace {

// Exit codes, documented in README.
constexpr int kExitConfig = 2;
constexpr int kExitDatabase = 3;
constexpr int kExitListen = 4;

// Prints the reason and gives back the exit code. Callers return it from main (or pass it to
// QCoreApplication::exit), so every object, the database pool threads included, is torn down in order before
// the process ends: no std::exit while a pool thread still runs a query.
int fail(int code, const QString &message) {
    std::fprintf(stderr, "navigator: %s\n", qPrintable(message));
    return code;
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("navigator"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NAVIGATOR_VERSION));
    // Debug output is off unless QT_LOGGING_RULES turns it on.
    QLoggingCategory::setFilterRules(QStringLiteral("navigator.*.debug=false"));
    nav::ops::installLogHandler(nav::ops::LogFormat::Text);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Navigator: queues txt2img/img2img jobs from Compass and bots, drives Stable Diffusion Forge, "
        "streams "
        "progress over socket.io and keeps every image in a database.\n"
        "Configuration comes from a .env file and the environment (which wins); every variable is documented "
        "in "
        "resources/env.example. Logs: LOG_FORMAT=text|json, ACCESS_LOG=off|errors|all, more detail with "
        "QT_LOGGING_RULES=\"navigator.*.debug=true\".\n"
        "SIGTERM/SIGINT shut down gracefully (SHUTDOWN_GRACE) and exit 0; a second signal exits at once.\n"
        "Exit codes: 2 bad configuration, 3 database unreachable or migration failed, 4 cannot listen."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption envFile(QStringLiteral("env-file"),
                                     QStringLiteral("Read variables from <path> (default ./.env)."),
                                     QStringLiteral("path"), QStringLiteral(".env"));
    const QCommandLineOption checkConfig(
        QStringLiteral("check-config"),
        QStringLiteral("Validate the configuration, print every variable's effective value (secrets hidden) "
                       "and where it came from, then exit."));
    parser.addOption(envFile);
    const QCommandLineOption conformance(
        QStringLiteral("socketio-conformance"),
        QStringLiteral(
            "Run only a bare socket.io server on <port>, set up for the official engine.io-protocol and "
            "socket.io-protocol test suites."),
        QStringLiteral("port"));
    parser.addOption(checkConfig);
    parser.addOption(conformance);
    parser.process(app);
    if (parser.isSet(conformance))
        return nav::realtime::runConformanceServer(parser.value(conformance).toUShort());

    const auto loaded = nav::config::loadConfigFromFile(parser.value(envFile), parser.isSet(envFile));
    if (const auto *error = std::get_if<nav::config::ConfigError>(&loaded))
        return fail(kExitConfig, QStringLiteral("configuration error: ") + error->message);
    const auto &config = std::get<nav::config::Config>(loaded);
    if (parser.isSet(checkConfig)) {
        QStringList backends;
        for (const QUrl &url : config.sdApiHosts)
            backends.append(nav::forge::backendName(url));
        std::printf("configuration OK: database %s, HTTP port %d, realtime port %d, Forge %s\n",
                    qPrintable(config.db.driver), config.httpPort, config.rtPort,
                    qPrintable(backends.join(QStringLiteral(", "))));
        std::printf("\nEffective configuration (secrets hidden):\n");
        for (const auto &setting : config.settings)
            std::printf("%s=%s  # %s\n", qPrintable(setting.name),
                        qPrintable(nav::config::maskedValue(setting)), qPrintable(setting.source));
        return 0;
    }
    nav::ops::installLogHandler(config.logFormat == QLatin1String("json") ? nav::ops::LogFormat::Json
                                                                          : nav::ops::LogFormat::Text);

    QString dbError;
    const auto database = nav::store::Database::open(config.db, &dbError);
    if (!database)
        return fail(kExitDatabase, dbError);
    if (!database->migrate(&dbError))
        return fail(kExitDatabase,
                    QStringLiteral("database migration failed (%1): %2").arg(database->describe(), dbError));

    nav::http::ConnectionLimits connectionLimits;
    connectionLimits.maxBodyBytes = config.maxBodyBytes;
    connectionLimits.idleTimeoutMs = config.httpIdleTimeoutMs;
    connectionLimits.headerTimeoutMs = config.httpHeaderTimeoutMs;
    connectionLimits.bodyTimeoutMs = config.httpBodyTimeoutMs;
    const long descriptors = nav::http::raiseFileDescriptorLimit();
    connectionLimits.maxConnections = nav::http::connectionCapFor(descriptors, config.httpMaxConnections);
    if (connectionLimits.maxConnections < config.httpMaxConnections)
        qCWarning(lcMain) << "HTTP_MAX_CONNECTIONS lowered to" << connectionLimits.maxConnections
                          << "per port: the file descriptor limit (ulimit -n) is" << descriptors;
    connectionLimits.maxConnectionsPerAddress = config.httpMaxConnectionsPerIp;
    // A trusted reverse proxy carries many clients on its connections: it is not capped per address.
    connectionLimits.exemptFromAddressLimit = [trust = config.trustProxy](const QHostAddress &peer) {
        return trust.enabled() && trust.trusts(peer, 0);
    };
    connectionLimits.bodyBudget = std::make_shared<nav::http::BodyBudget>(config.httpBodyBudgetBytes);
    nav::http::HttpServer http(connectionLimits);
    http.setAccessLog(config.accessLog == QLatin1String("all")   ? nav::http::AccessLog::All
                      : config.accessLog == QLatin1String("off") ? nav::http::AccessLog::Off
                                                                 : nav::http::AccessLog::Errors);
    nav::api::registerSystemRoutes(http, config);
    nav::store::UserRepository users(*database);
    nav::store::ImageCache imageCache(qint64(config.imageCacheMb) << 20);
    nav::store::ImageRepository images(*database, &imageCache);
    nav::store::CategoryRepository categories(*database);
    nav::auth::AuthService auth(config, [&users](const QString &id) { return users.resolveRole(id); });
    nav::auth::DiscordClient discord({config.discordApiBase, config.discordClientId,
                                      config.discordClientSecret, config.discordRedirectUri,
                                      config.botToken});
    nav::realtime::RealtimeSettings rtSettings;
    rtSettings.pingIntervalMs = config.rtPingIntervalMs;
    rtSettings.pingTimeoutMs = config.rtPingTimeoutMs;
    rtSettings.maxPayload = config.rtMaxPayload;
    rtSettings.maxSessions = config.rtMaxSessions;
    rtSettings.trustProxy = config.trustProxy;
    rtSettings.connection = connectionLimits;
    nav::realtime::RealtimeHub realtime(rtSettings, [&auth](const QString &token, auto done) {
        auth.verifyToken(token, [done](std::optional<nav::auth::Caller> caller) {
            done(caller ? std::optional(nav::realtime::Identity{caller->discordId, caller->role})
                        : std::nullopt);
        });
    });
    nav::auth::UserAdministration administration(users, discord);
    nav::store::DiscordProfileRepository profiles(*database);
    nav::auth::AccessRequestService access(profiles, administration, config.accessRequestsMax,
                                           [&realtime](const QString &event, const QJsonObject &payload) {
                                               realtime.emitToAdmins(event, payload);
                                           });
    nav::auth::LoginService login(auth, discord, &access);
    nav::api::registerAuthRoutes(http, login);
    nav::api::registerUserRoutes(http, {auth, images, categories});
    nav::api::registerAdminRoutes(http, {auth, administration, users});
    nav::api::registerAccessRequestRoutes(http, auth, access, profiles);
    nav::forge::ForgeClient forge(config.sdApiHost, config.sdApiBase());
    nav::forge::ForgeCatalog catalog(&forge, config.catalogCacheTtlMs);

    QObject::connect(&administration, &nav::auth::UserAdministration::roleChanged, &realtime,
                     &nav::realtime::RealtimeHub::userRoleChanged);

    const nav::thirdparty::Broadcast broadcast =
        [&realtime](const QString &event, const QJsonObject &payload) { realtime.emitToAll(event, payload); };
    nav::store::ModelRepository models(*database);
    nav::store::ModelMetadataRepository modelMetadata(*database);
    nav::store::FileHashRepository fileHashes(*database);
    nav::thirdparty::CivitaiClient civitai(config.civitaiApiBase, config.civitaiApiKey,
                                           {int(config.civitaiTimeoutMs), config.civitaiProxyMaxBytes});
    nav::thirdparty::ModelDownloadService::Options downloadOptions;
    downloadOptions.modelDir = config.modelDir;
    downloadOptions.maxConcurrent = config.maxConcurrentDownloads;
    downloadOptions.minFreeSpacePercent = config.minFreeSpacePercent;
    downloadOptions.supportsFlux = config.supportsFlux;
    nav::thirdparty::ModelDownloadService downloads(
        &civitai, &catalog, downloadOptions, nav::thirdparty::freeSpaceProbe(config.testFreeSpacePercent),
        broadcast);
    nav::thirdparty::LoraService loras(
        &catalog, &civitai, &modelMetadata, &fileHashes,
        {config.enableLoraSupport, config.modelDir, config.loraMetadataMaxAgeMs});
    nav::api::registerModelRoutes(http, auth, catalog, models, broadcast, config.modelRefreshIntervalMs);
    nav::api::registerLoraRoutes(http, auth, loras);
    nav::api::registerCivitaiRoutes(http, auth, civitai, downloads);
    nav::api::registerEmbedRoutes(http, images, &catalog);

    nav::store::JobRepository jobs(*database, &imageCache);
    nav::queue::QueueSettings queueSettings;
    queueSettings.maxQueueLength = config.maxQueueLength;
    queueSettings.maxJobsPerUser = config.maxJobsPerUser;
    queueSettings.maxSkips = config.schedulerMaxSkips;
    queueSettings.maxWaitMs = config.jobMaxWaitMs;
    nav::queue::JobQueue queue(
        jobs,
        [&realtime](const QString &owner, const QString &origin, const QString &event,
                    const QJsonObject &payload) { realtime.emitJobEvent(owner, origin, event, payload); },
        queueSettings);
    queue.setMaxRetryDelay(static_cast<int>(config.dbRetryMaxDelayMs));
    nav::queue::WorkerSettings workerSettings;
    workerSettings.progressIntervalMs = static_cast<int>(config.jobProgressCheckIntervalMs);
    workerSettings.generationTimeoutMs = static_cast<int>(config.forgeGenerationTimeoutMs);
    workerSettings.unloadAfterMs = config.checkpointUnloadIntervalMin * 60 * 1000;
    workerSettings.probeMaxIntervalMs = static_cast<int>(config.backendProbeMaxMs);
    for (const QUrl &url : config.sdApiHosts) {
        auto *client = new nav::forge::ForgeClient(url, nav::config::Config::sdApiBaseOf(url), &queue);
        auto *worker =
            new nav::queue::BackendWorker(nav::forge::backendName(url), client, workerSettings, &queue);
        queue.addBackend(worker);
        worker->refreshLoadedModel();
    }
    nav::queue::followUpBackend(queue, forge, catalog);
    nav::api::registerQueueRoutes(http, {auth, queue, jobs, categories, catalog, forge, config});
    nav::api::registerImageRoutes(http, jobs, queue, forge);
    queue.recover([](const QString &error) {
        if (!error.isEmpty())
            QCoreApplication::exit(
                fail(kExitDatabase, QStringLiteral("cannot resume the job queue: ") + error));
    });

    // GET /api/admin/status and /api/admin/queue.
    nav::api::AdminStatusService::Sources statusSources;
    statusSources.connectedClients = [&realtime] { return realtime.connectedClients(); };
    statusSources.queuedJobs = [&queue] { return static_cast<int>(queue.queued().size()); };
    statusSources.runningJobs = [&queue] { return static_cast<int>(queue.running().size()); };
    // The first backend's first-pass-image patch state (GET /api/admin/backends has every backend).
    statusSources.firstPassPatch = [&queue] {
        return nav::queue::firstPassPatchName(queue.backends().first()->firstPassPatch());
    };
    nav::api::DatabaseStatus databaseStatus(*database);
    statusSources.database = [&databaseStatus] { return databaseStatus.current(); };
    nav::api::AdminStatusService adminStatus(&forge, statusSources);
    nav::api::JobQueueAdminSource adminQueue(queue, jobs);
    nav::api::registerAdminQueueRoutes(
        http, auth, adminStatus, &adminQueue,
        [&profiles](const QStringList &ids) { return profiles.displayNames(ids); });
    nav::api::registerAdminBackendRoutes(http, auth, queue);
    nav::store::JobStatsRepository jobStats(*database);
    nav::api::registerAdminHistoryRoutes(
        http, auth, jobStats, [&profiles](const QStringList &ids) { return profiles.displayNames(ids); });
    QObject::connect(&queue, &nav::queue::JobQueue::backendStateChanged, &realtime,
                     [&realtime](nav::queue::BackendWorker *worker) {
                         realtime.emitToAdmins(QStringLiteral("backend-state"),
                                               nav::api::backendJson(*worker));
                     });
    nav::api::ReadinessCheck readiness(*database, [&queue] { return queue.backends(); }, {});
    nav::api::registerOpsRoutes(http, {config, queue, realtime, readiness});
    if (!http.listen(QHostAddress(config.bindAddress), static_cast<quint16>(config.httpPort)))
        return fail(kExitListen, QStringLiteral("cannot listen on %1:%2 (HTTP_API_PORT): %3")
                                     .arg(config.bindAddress)
                                     .arg(config.httpPort)
                                     .arg(http.errorString()));
    if (!realtime.listen(QHostAddress(config.bindAddress), static_cast<quint16>(config.rtPort)))
        return fail(kExitListen, QStringLiteral("cannot listen on %1:%2 (RT_API_PORT): %3")
                                     .arg(config.bindAddress)
                                     .arg(config.rtPort)
                                     .arg(realtime.errorString()));
    // SIGTERM/SIGINT: finish or re-queue the running job, flush, close the sockets, exit 0.
    nav::lifecycle::GracefulShutdown shutdown(queue, realtime, config.shutdownGraceMs);
    qCInfo(lcMain).noquote() << QStringLiteral("HTTP API listening on http://%1:%2, socket.io on port %3")
                                    .arg(config.bindAddress)
                                    .arg(http.port())
                                    .arg(realtime.port());
    nav::ops::notifyReady();
    QObject::connect(&app, &QCoreApplication::aboutToQuit, [] { nav::ops::notifyStopping(); });
    const int code = app.exec();
    qCInfo(lcMain) << "stopped with exit code" << code;
    return code;
}
