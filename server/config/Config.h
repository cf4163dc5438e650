#pragma once
// The typed, validated configuration. It is read once at start-up (see loadConfig) and passed to every
// component; nothing else reads the environment. Variable names follow the original Navigator.
#include "server/config/DotEnv.h"
#include "server/config/TrustProxy.h"

#include <QList>
#include <QString>
#include <QUrl>
#include <variant>

namespace nav::config {

struct DatabaseConfig {
    QString driver = QStringLiteral("sqlite");       // DB_DRIVER: sqlite | mysql
    QString path = QStringLiteral("./navigator.db"); // DB_PATH (sqlite)
    QString host = QStringLiteral("localhost");      // DB_HOST (the original's default)
    int port = 3306;                                 // DB_PORT
    QString socket;                                  // DB_SOCKET (mysql unix socket, optional)
    QString user = QStringLiteral("bitjourney");     // DB_USER (the original's default)
    QString password = QStringLiteral("password");   // DB_PASSWORD (the original's default)
    QString name = QStringLiteral("bitjourney");     // DB_NAME (the original's default)
    int poolSize = 4;                                // DB_POOL_SIZE
};

// One variable as loadConfig read it, for --check-config.
struct Setting {
    QString name;
    QString value;  // the effective value (secrets are masked by maskedValue(), not here)
    QString source; // "environment", ".env" or "default"
};

struct Config {
    DatabaseConfig db;

    QString bindAddress = QStringLiteral("0.0.0.0"); // BIND_ADDRESS
    int httpPort = 3333;                             // HTTP_API_PORT
    int rtPort = 3334;                               // RT_API_PORT
    qint64 maxBodyBytes = 50LL * 1024 * 1024;        // MAX_BODY_SIZE
    qint64 httpIdleTimeoutMs = 60'000;               // HTTP_IDLE_TIMEOUT
    qint64 httpHeaderTimeoutMs = 10'000;             // HTTP_HEADER_TIMEOUT
    qint64 httpBodyTimeoutMs = 60'000;               // HTTP_BODY_TIMEOUT
    int httpMaxConnections = 4096;                   // HTTP_MAX_CONNECTIONS (per port)
    int httpMaxConnectionsPerIp = 128;               // HTTP_MAX_CONNECTIONS_PER_IP (0: no limit)
    qint64 httpBodyBudgetBytes = 256LL << 20;        // HTTP_BODY_BUDGET (both ports together)
    TrustProxy trustProxy;                           // TRUST_PROXY (+ TRUST_CF_CONNECTING_IP)

    // SD_API_HOST: one Forge API base, or several separated by commas (one worker per backend).
    // sdApiHost is the first of them.
    QUrl sdApiHost = QUrl(QStringLiteral("http://127.0.0.1:7860/sdapi/v1"));
    QList<QUrl> sdApiHosts{sdApiHost};
    qint64 jobProgressCheckIntervalMs = 1000; // JOB_PROGRESS_CHECK_INTERVAL
    qint64 checkpointUnloadIntervalMin = 0;   // CHECKPOINT_UNLOAD_INTERVAL (0: off)
    qint64 imagePixelLimit = 3'686'400;       // IMAGE_PIXEL_LIMIT
    qint64 inputImagePixelLimit = 16'777'216; // INPUT_IMAGE_PIXEL_LIMIT (init_image, mask)
    int maxQueueLength = 1000;                // MAX_QUEUE_LENGTH (queued + running, all users)
    int maxJobsPerUser = 20;                  // MAX_JOBS_PER_USER (queued + running; 0: no cap)
    int schedulerMaxSkips = 4;                // SCHEDULER_MAX_SKIPS (model-affinity starvation guard)
    qint64 jobMaxWaitMs = 3'600'000;          // JOB_MAX_WAIT (without any backend -> NO_BACKEND)
    qint64 backendProbeMaxMs = 5000;          // BACKEND_PROBE_MAX_INTERVAL (backoff cap while down)
    int imageCacheMb = 256;                   // IMAGE_CACHE_MB (decoded PNGs in memory; 0: off)
    int workerNice = 10; // WORKER_NICE (worker threads' nice offset; 0: same as the loop)
    qint64 forgeGenerationTimeoutMs = 30LL * 60 * 1000; // FORGE_GENERATION_TIMEOUT
    qint64 shutdownGraceMs = 30'000;                    // SHUTDOWN_GRACE (running job's time to finish)
    qint64 dbRetryMaxDelayMs = 5000;                    // DB_RETRY_MAX_DELAY (writes during an outage)
    bool supportsFlux = false;                          // SUPPORTS_FLUX
    bool enableLoraSupport = false;                     // ENABLE_LORA_SUPPORT (alias ENABLE_LORA_REQUESTS)
    bool allowLegacyBotEndpoints = false;               // ALLOW_LEGACY_BOT_ENDPOINTS

    QString secretKey;                             // SECRET_KEY (required)
    qint64 tokenExpirationMs = 72LL * 3600 * 1000; // TOKEN_EXPIRATION_TIME (-1: never)
    QString superuserAdminToken;                   // SUPERUSER_ADMIN_TOKEN
    bool enableDemoUser = false;                   // ENABLE_DEMO_USER
    QString botToken;                              // BOT_TOKEN
    QString discordClientId;                       // DISCORD_CLIENT_ID
    QString discordClientSecret;                   // DISCORD_CLIENT_SECRET
    QString discordRedirectUri;                    // DISCORD_REDIRECT_URI
    QUrl discordApiBase = QUrl(QStringLiteral("https://discord.com/api/v10")); // DISCORD_API_BASE
    int accessRequestsMax = 1000; // ACCESS_REQUESTS_MAX (pending + denied access requests kept)
    int authRoleCacheMs = 1000;   // AUTH_ROLE_CACHE_MS (how long the guard trusts a role it read; 0: off)

    QString civitaiApiKey;                                                    // CIVITAI_API_KEY
    QUrl civitaiApiBase = QUrl(QStringLiteral("https://civitai.com/api/v1")); // CIVITAI_API_BASE
    QString modelDir;                                                         // MODEL_DIR
    int maxConcurrentDownloads = 2;                                           // MAX_CONCURRENT_DOWNLOADS
    int minFreeSpacePercent = 10;                   // MIN_FREE_SPACE_PERCENT (downloads refused below it)
    qint64 civitaiTimeoutMs = 30'000;               // CIVITAI_TIMEOUT (API calls and proxy)
    qint64 civitaiProxyMaxBytes = 10LL << 20;       // CIVITAI_PROXY_MAX_BYTES
    qint64 loraMetadataMaxAgeMs = 7LL * 86'400'000; // LORA_METADATA_MAX_AGE (CivitAI metadata refresh age)
    qint64 catalogCacheTtlMs = 300'000;     // CATALOG_CACHE_TTL (samplers, schedulers, upscalers, modules)
    qint64 modelRefreshIntervalMs = 30'000; // MODEL_REFRESH_INTERVAL (least time between Forge rescans)

    int rtPingIntervalMs = 25'000;   // RT_PING_INTERVAL
    int rtPingTimeoutMs = 20'000;    // RT_PING_TIMEOUT
    qint64 rtMaxPayload = 1'000'000; // RT_MAX_PAYLOAD
    int rtMaxSessions = 10'000;      // RT_MAX_SESSIONS
    qint64 rtPrivilegeRecheckMs =
        60'000; // RT_PRIVILEGE_RECHECK (roles of connected users read again; 0: off)

    QString logFormat = QStringLiteral("text");   // LOG_FORMAT: text | json
    QString accessLog = QStringLiteral("errors"); // ACCESS_LOG: off | errors | all
    QString metricsToken;                         // METRICS_TOKEN (empty: /metrics is open)

    // Every variable read, in reading order, with its effective value and where it came from.
    QList<Setting> settings;

    // SD_API_HOST without its /sdapi/v1 suffix: the base for /internal/progress.
    QUrl sdApiBase() const { return sdApiBaseOf(sdApiHost); }
    static QUrl sdApiBaseOf(const QUrl &sdApiHost);
};

// Whether a variable holds a secret (tokens, keys, passwords): --check-config and logs never show it.
bool isSecretVariable(const QString &name);
// The value as --check-config prints it: "(set, hidden)" for secrets, URLs without their password.
QString maskedValue(const Setting &setting);

struct ConfigError {
    QString variable;
    QString message; // what the variable expects, ready to print
};

// `fileVars` come from the .env file, `processEnv` from the environment, which wins.
std::variant<Config, ConfigError> loadConfig(const EnvMap &fileVars, const EnvMap &processEnv);

// Size values such as "50mb", "1e6", "512kb" or a plain byte count.
std::optional<qint64> parseByteSize(const QString &text);

} // namespace nav::config

namespace nav::config {

// Reads the .env file at `path` (a missing file is fine unless `mustExist`) and the process environment.
std::variant<Config, ConfigError> loadConfigFromFile(const QString &path, bool mustExist);

} // namespace nav::config
