// Navigator: wiring only. Config -> store -> backends -> queue -> http + realtime.
#include "server/api/AdminQueueRoutes.h"
#include "server/api/AdminRoutes.h"
#include "server/api/AdminStatusService.h"
#include "server/api/AuthRoutes.h"
#include "server/api/CivitaiRoutes.h"
#include "server/api/EmbedRoutes.h"
#include "server/api/ImageRoutes.h"
#include "server/api/JobQueueAdminSource.h"
#include "server/api/LoraRoutes.h"
#include "server/api/ModelRoutes.h"
#include "server/api/OpsRoutes.h"
#include "server/api/QueueRoutes.h"
#include "server/api/SystemRoutes.h"
#include "server/api/UserRoutes.h"
#include "server/common/Broadcast.h"
#include "server/config/Config.h"
#include "server/forge/ForgeCatalog.h"
#include "server/http/FileDescriptorLimit.h"
#include "server/http/HttpServer.h"
#include "server/ops/Logging.h"
#include "server/ops/ServiceNotify.h"
#include "server/queue/JobQueue.h"
#include "server/realtime/RealtimeHub.h"
#include "server/store/Database.h"
#include "server/store/FileHashRepository.h"
#include "server/store/JobRepository.h"
#include "server/store/ModelMetadataRepository.h"
#include "server/store/ModelRepository.h"

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

[[noreturn]] void die(int code, const QString &message) {
    std::fprintf(stderr, "navigator: %s\n", qPrintable(message));
    std::exit(code);
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
    parser.addOption(checkConfig);
    parser.process(app);

    const auto loaded = nav::config::loadConfigFromFile(parser.value(envFile), parser.isSet(envFile));
    if (const auto *error = std::get_if<nav::config::ConfigError>(&loaded))
        die(kExitConfig, QStringLiteral("configuration error: ") + error->message);
    const auto &config = std::get<nav::config::Config>(loaded);
    if (parser.isSet(checkConfig)) {
        std::printf("configuration OK: database %s, HTTP port %d, realtime port %d, Forge %s\n",
                    qPrintable(config.db.driver), config.httpPort, config.rtPort,
                    qPrintable(config.sdApiHost.toString(QUrl::RemoveUserInfo)));
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
        die(kExitDatabase, dbError);
    if (!database->migrate(&dbError))
        die(kExitDatabase,
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
    nav::auth::LoginService login(auth, discord);
    nav::auth::UserAdministration administration(users, discord);
    nav::api::registerAuthRoutes(http, login);
    nav::api::registerUserRoutes(http, {auth, images, categories});
    nav::api::registerAdminRoutes(http, {auth, administration, users});
    nav::forge::ForgeClient forge(config.sdApiHost, config.sdApiBase());
    nav::forge::ForgeCatalog catalog(&forge, config.catalogCacheTtlMs);
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

    QObject::connect(&administration, &nav::auth::UserAdministration::roleChanged, &realtime,
                     &nav::realtime::RealtimeHub::userRoleChanged);

    const nav::common::Broadcast broadcast =
        [&realtime](const QString &event, const QJsonObject &payload) { realtime.emitToAll(event, payload); };
    nav::store::ModelRepository models(*database);
    nav::store::ModelMetadataRepository modelMetadata(*database);
    nav::store::FileHashRepository fileHashes(*database);
    nav::civitai::CivitaiClient civitai(config.civitaiApiBase, config.civitaiApiKey,
                                           {int(config.civitaiTimeoutMs), config.civitaiProxyMaxBytes});
    nav::civitai::ModelDownloadService::Options downloadOptions;
    downloadOptions.modelDir = config.modelDir;
    downloadOptions.maxConcurrent = config.maxConcurrentDownloads;
    downloadOptions.minFreeSpacePercent = config.minFreeSpacePercent;
    downloadOptions.supportsFlux = config.supportsFlux;
    nav::civitai::ModelDownloadService downloads(
        &civitai, &catalog, downloadOptions, nav::civitai::freeSpaceProbe(config.testFreeSpacePercent),
        broadcast);
    nav::loras::LoraService loras(
        &catalog, &civitai, &modelMetadata, &fileHashes,
        {config.enableLoraSupport, config.modelDir, config.loraMetadataMaxAgeMs});
    nav::api::registerModelRoutes(http, auth, catalog, models, broadcast, config.modelRefreshIntervalMs);
    nav::api::registerLoraRoutes(http, auth, loras);
    nav::api::registerCivitaiRoutes(http, auth, civitai, downloads);
    nav::api::registerEmbedRoutes(http, images, &catalog);

    nav::store::JobRepository jobs(*database, &imageCache);
    nav::queue::JobQueue queue(
        jobs,
        [&realtime](const QString &owner, const QString &origin, const QString &event,
                    const QJsonObject &payload) { realtime.emitJobEvent(owner, origin, event, payload); },
        config.maxQueueLength);
    nav::queue::WorkerSettings workerSettings;
    workerSettings.progressIntervalMs = static_cast<int>(config.jobProgressCheckIntervalMs);
    workerSettings.generationTimeoutMs = static_cast<int>(config.forgeGenerationTimeoutMs);
    workerSettings.unloadAfterMs = config.checkpointUnloadIntervalMin * 60 * 1000;
    // The backend's name appears in logs, metrics and the database: never with its user:password.
    nav::queue::BackendWorker worker(config.sdApiHost.toString(QUrl::RemoveUserInfo), &forge, workerSettings);
    worker.refreshLoadedModel();
    queue.addBackend(&worker);
    nav::api::registerQueueRoutes(http, {auth, queue, jobs, categories, catalog, forge, config});
    nav::api::registerImageRoutes(http, jobs, queue, forge);
    queue.recover([](const QString &error) {
        if (!error.isEmpty())
            die(kExitDatabase, QStringLiteral("cannot resume the job queue: ") + error);
    });

    // GET /api/admin/status and /api/admin/queue.
    nav::api::AdminStatusService::Sources statusSources;
    statusSources.connectedClients = [&realtime] { return realtime.connectedClients(); };
    statusSources.queuedJobs = [&queue] { return static_cast<int>(queue.queued().size()); };
    statusSources.runningJobs = [&queue] { return static_cast<int>(queue.running().size()); };
    statusSources.firstPassPatch = [&worker] {
        return nav::queue::firstPassPatchName(worker.firstPassPatch());
    };
    nav::api::AdminStatusService adminStatus(&forge, statusSources);
    nav::api::JobQueueAdminSource adminQueue(queue, jobs);
    nav::api::registerAdminQueueRoutes(http, auth, adminStatus, &adminQueue);
    nav::api::ReadinessCheck readiness(*database, [&queue] { return queue.backends(); }, {});
    nav::api::registerOpsRoutes(http, {config, queue, realtime, readiness});
    if (!http.listen(QHostAddress(config.bindAddress), static_cast<quint16>(config.httpPort)))
        die(kExitListen, QStringLiteral("cannot listen on %1:%2 (HTTP_API_PORT): %3")
                             .arg(config.bindAddress)
                             .arg(config.httpPort)
                             .arg(http.errorString()));
    if (!realtime.listen(QHostAddress(config.bindAddress), static_cast<quint16>(config.rtPort)))
        die(kExitListen, QStringLiteral("cannot listen on %1:%2 (RT_API_PORT): %3")
                             .arg(config.bindAddress)
                             .arg(config.rtPort)
                             .arg(realtime.errorString()));
    qCInfo(lcMain).noquote() << QStringLiteral("HTTP API listening on http://%1:%2, socket.io on port %3")
                                    .arg(config.bindAddress)
                                    .arg(http.port())
                                    .arg(realtime.port());
    nav::ops::notifyReady();
    QObject::connect(&app, &QCoreApplication::aboutToQuit, [] { nav::ops::notifyStopping(); });
    return app.exec();
}
