#include "server/config/Config.h"

#include "server/config/Duration.h"

#include <QFile>
#include <QRegularExpression>

#include <algorithm>

#include <unistd.h> // environ

namespace nav::config {

namespace {

// Reads variables with the environment winning over the .env file; an empty value counts as unset.
class Reader {
public:
    Reader(const EnvMap &file, const EnvMap &env) : m_file(file), m_env(env) {}

    // Also records the variable for --check-config (its raw value, or `fallback` when unset).
    std::optional<QString> raw(const QString &name, const QString &fallback = {}) {
        std::optional<QString> found;
        QString source = QStringLiteral("default");
        for (const EnvMap *map : {&m_env, &m_file}) {
            const auto it = map->constFind(name);
            if (it != map->constEnd() && !it->trimmed().isEmpty()) {
                found = it->trimmed();
                source = map == &m_env ? QStringLiteral("environment") : QStringLiteral(".env");
                break;
            }
        }
        const bool seen = std::any_of(m_settings.cbegin(), m_settings.cend(),
                                      [&](const Setting &s) { return s.name == name; });
        if (!seen) // aliases read twice keep their first record
            m_settings.append(Setting{name, found.value_or(fallback), source});
        return found;
    }

    void string(const QString &name, QString &out) {
        if (auto value = raw(name, out))
            out = *value;
    }

    void byteSize(const QString &name, qint64 &out, const QString &example) {
        const auto value = raw(name, QString::number(out));
        if (!value)
            return;
        if (auto bytes = parseByteSize(*value))
            out = *bytes;
        else
            fail(name,
                 QStringLiteral("must be a size such as %1 or 1048576, got \"%2\"").arg(example, *value));
    }

    void choice(const QString &name, QString &out, const QStringList &choices) {
        const auto value = raw(name, out);
        if (!value)
            return;
        if (choices.contains(value->toLower()))
            out = value->toLower();
        else
            fail(name, QStringLiteral("must be one of %1, got \"%2\"")
                           .arg(choices.join(QStringLiteral(", ")), *value));
    }

    void boolean(const QString &name, bool &out) {
        const auto value = raw(name, out ? QStringLiteral("true") : QStringLiteral("false"));
        if (!value)
            return;
        const QString v = value->toLower();
        if (v == "true" || v == "1" || v == "yes" || v == "on")
            out = true;
        else if (v == "false" || v == "0" || v == "no" || v == "off")
            out = false;
        else
            fail(name, QStringLiteral("must be true or false, got \"%1\"").arg(*value));
    }

    template <typename Int> void integer(const QString &name, Int &out, qint64 min, qint64 max) {
        const auto value = raw(name, QString::number(out));
        if (!value)
            return;
        bool ok = false;
        const qint64 n = value->toLongLong(&ok);
        if (!ok || n < min || n > max)
            fail(name, QStringLiteral("must be a whole number from %1 to %2, got \"%3\"")
                           .arg(min)
                           .arg(max)
                           .arg(*value));
        else
            out = static_cast<Int>(n);
    }

    void duration(const QString &name, qint64 &out, const QString &expects) {
        const auto value = raw(name, QStringLiteral("%1ms").arg(out));
        if (!value)
            return;
        if (auto ms = parseDurationMs(*value))
            out = *ms;
        else
            fail(name, QStringLiteral("must be %1, got \"%2\"").arg(expects, *value));
    }

    void url(const QString &name, QUrl &out) {
        const auto value = raw(name, out.toString());
        if (!value)
            return;
        QUrl parsed(*value, QUrl::StrictMode);
        if (!parsed.isValid() || (parsed.scheme() != "http" && parsed.scheme() != "https") ||
            parsed.host().isEmpty())
            fail(name, QStringLiteral("must be an http:// or https:// URL, got \"%1\"").arg(*value));
        else
            out = parsed;
    }

    // A comma-separated list of URLs (at least one); duplicates are refused.
    void urlList(const QString &name, QList<QUrl> &out) {
        const auto value = raw(name);
        if (!value)
            return;
        QList<QUrl> urls;
        for (const QString &part : value->split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            QUrl parsed(part.trimmed(), QUrl::StrictMode);
            if (!parsed.isValid() || (parsed.scheme() != "http" && parsed.scheme() != "https") ||
                parsed.host().isEmpty()) {
                fail(name, QStringLiteral("must be http:// or https:// URLs separated by commas, got \"%1\"")
                               .arg(parsed.toString(QUrl::RemoveUserInfo)));
                return;
            }
            if (urls.contains(parsed)) {
                fail(name, QStringLiteral("lists %1 twice").arg(parsed.toString(QUrl::RemoveUserInfo)));
                return;
            }
            urls.append(parsed);
        }
        if (urls.isEmpty())
            fail(name, QStringLiteral("must name at least one Forge API base"));
        else
            out = urls;
    }

    void fail(const QString &name, const QString &message) {
        if (!m_error)
            m_error = ConfigError{name, name + QLatin1Char(' ') + message};
    }
    const std::optional<ConfigError> &error() const { return m_error; }
    const QList<Setting> &settings() const { return m_settings; }

private:
    const EnvMap &m_file;
    const EnvMap &m_env;
    std::optional<ConfigError> m_error;
    QList<Setting> m_settings;
};

} // namespace

QUrl Config::sdApiBaseOf(const QUrl &sdApiHost) {
    QUrl base = sdApiHost;
    QString path = base.path();
    // Plain string checks rather than a QRegularExpression, here and in the other start-up parsers: the
    // first pattern compiled maps in PCRE2 and its JIT, about half a MiB of resident memory for good.
    for (const QLatin1String suffix : {QLatin1String("/sdapi/v1/"), QLatin1String("/sdapi/v1")}) {
        if (path.endsWith(suffix)) {
            path.chop(suffix.size());
            break;
        }
    }
    base.setPath(path);
    return base;
}

bool isSecretVariable(const QString &name) {
    for (const char *ending : {"KEY", "TOKEN", "SECRET", "PASSWORD", "PASS"})
        if (name.endsWith(QLatin1String(ending)))
            return true;
    return false;
}

QString maskedValue(const Setting &setting) {
    if (isSecretVariable(setting.name))
        return setting.value.isEmpty() ? QStringLiteral("(not set)") : QStringLiteral("(set, hidden)");
    // user:password@ inside a URL (Forge behind basic auth, a database URL): keep the user, hide the
    // password.
    static const QRegularExpression userInfo(QStringLiteral("(://[^:/@\\s]*):[^@/\\s]*@"));
    QString value = setting.value;
    value.replace(userInfo, QStringLiteral("\\1:(hidden)@"));
    return value;
}

std::optional<qint64> parseByteSize(const QString &text) {
    static const QRegularExpression pattern(QStringLiteral("^(\\d+(?:\\.\\d+)?(?:e\\d+)?) *(b|kb|mb|gb)?$"),
                                            QRegularExpression::CaseInsensitiveOption);
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const QString unit = match.captured(2).toLower();
    const double factor = unit == "kb"   ? 1024.0
                          : unit == "mb" ? 1024.0 * 1024
                          : unit == "gb" ? 1024.0 * 1024 * 1024
                                         : 1.0;
    const double bytes = match.captured(1).toDouble() * factor;
    if (bytes < 1 || bytes > 8.0e12)
        return std::nullopt;
    return static_cast<qint64>(bytes);
}

std::variant<Config, ConfigError> loadConfig(const EnvMap &fileVars, const EnvMap &processEnv) {
    Config c;
    Reader r(fileVars, processEnv);

    r.string("DB_DRIVER", c.db.driver);
    c.db.driver = c.db.driver.toLower();
    if (c.db.driver == "mariadb")
        c.db.driver = "mysql";
    if (c.db.driver != "sqlite" && c.db.driver != "mysql")
        r.fail("DB_DRIVER", QStringLiteral("must be sqlite or mysql, got \"%1\"").arg(c.db.driver));
    r.string("DB_PATH", c.db.path);
    r.string("DB_HOST", c.db.host);
    r.integer("DB_PORT", c.db.port, 1, 65535);
    r.string("DB_SOCKET", c.db.socket);
    r.string("DB_USER", c.db.user);
    r.string("DB_PASSWORD", c.db.password);
    r.string("DB_NAME", c.db.name);
    r.integer("DB_POOL_SIZE", c.db.poolSize, 1, 64);
    if (c.db.driver == "mysql" && c.db.user.isEmpty())
        r.fail("DB_USER",
               QStringLiteral("must be set when DB_DRIVER is mysql (the MariaDB/MySQL user name)"));

    r.string("BIND_ADDRESS", c.bindAddress);
    r.integer("HTTP_API_PORT", c.httpPort, 0, 65535);
    r.integer("RT_API_PORT", c.rtPort, 0, 65535);
    r.byteSize("MAX_BODY_SIZE", c.maxBodyBytes, QStringLiteral("50mb"));
    r.duration("HTTP_IDLE_TIMEOUT", c.httpIdleTimeoutMs, QStringLiteral("a duration such as 60s"));
    r.duration("HTTP_HEADER_TIMEOUT", c.httpHeaderTimeoutMs, QStringLiteral("a duration such as 10s"));
    r.duration("HTTP_BODY_TIMEOUT", c.httpBodyTimeoutMs, QStringLiteral("a duration such as 60s"));
    for (const auto &[name, value] : {std::pair{"HTTP_IDLE_TIMEOUT", c.httpIdleTimeoutMs},
                                      {"HTTP_HEADER_TIMEOUT", c.httpHeaderTimeoutMs},
                                      {"HTTP_BODY_TIMEOUT", c.httpBodyTimeoutMs}})
        if (value < 100 || value > 86'400'000LL)
            r.fail(QString::fromLatin1(name), QStringLiteral("must be between 100ms and 24h"));
    r.integer("HTTP_MAX_CONNECTIONS", c.httpMaxConnections, 1, 1'000'000);
    r.integer("HTTP_MAX_CONNECTIONS_PER_IP", c.httpMaxConnectionsPerIp, 0, 1'000'000);
    if (auto value = r.raw("HTTP_BODY_BUDGET")) {
        if (auto bytes = parseByteSize(*value))
            c.httpBodyBudgetBytes = *bytes;
        else
            r.fail("HTTP_BODY_BUDGET",
                   QStringLiteral("must be a size such as 256mb or 1048576, got \"%1\"").arg(*value));
    }
    if (auto value = r.raw("TRUST_PROXY")) {
        QString why;
        if (auto parsed = TrustProxy::parse(*value, &why))
            c.trustProxy = *parsed;
        else
            r.fail("TRUST_PROXY", why);
    }
    r.boolean("TRUST_CF_CONNECTING_IP", c.trustProxy.readCfConnectingIp);

    r.urlList("SD_API_HOST", c.sdApiHosts);
    c.sdApiHost = c.sdApiHosts.first();
    r.integer("JOB_PROGRESS_CHECK_INTERVAL", c.jobProgressCheckIntervalMs, 50, 600'000);
    r.integer("CHECKPOINT_UNLOAD_INTERVAL", c.checkpointUnloadIntervalMin, 0, 525'600);
    r.integer("IMAGE_PIXEL_LIMIT", c.imagePixelLimit, 4096, 1'000'000'000);
    r.integer("INPUT_IMAGE_PIXEL_LIMIT", c.inputImagePixelLimit, 4096, 1'000'000'000);
    r.integer("MAX_QUEUE_LENGTH", c.maxQueueLength, 1, 1'000'000);
    r.integer("ACCESS_REQUESTS_MAX", c.accessRequestsMax, 1, 1'000'000);
    r.integer("MAX_JOBS_PER_USER", c.maxJobsPerUser, 0, 1'000'000);
    r.integer("SCHEDULER_MAX_SKIPS", c.schedulerMaxSkips, 0, 1000);
    r.duration("JOB_MAX_WAIT", c.jobMaxWaitMs, QStringLiteral("a duration such as 1h"));
    if (c.jobMaxWaitMs < 1000)
        r.fail("JOB_MAX_WAIT", QStringLiteral("must be at least 1s"));
    r.duration("BACKEND_PROBE_MAX_INTERVAL", c.backendProbeMaxMs, QStringLiteral("a duration such as 5s"));
    if (c.backendProbeMaxMs < 100 || c.backendProbeMaxMs > 600'000)
        r.fail("BACKEND_PROBE_MAX_INTERVAL", QStringLiteral("must be between 100ms and 10m"));
    r.integer("IMAGE_CACHE_MB", c.imageCacheMb, 0, 1'048'576);
    r.integer("WORKER_NICE", c.workerNice, 0, 19);
    r.duration("FORGE_GENERATION_TIMEOUT", c.forgeGenerationTimeoutMs,
               QStringLiteral("a duration such as 30m"));
    if (c.forgeGenerationTimeoutMs < 1000 || c.forgeGenerationTimeoutMs > 86'400'000LL)
        r.fail("FORGE_GENERATION_TIMEOUT", QStringLiteral("must be between 1s and 24h"));
    r.duration("SHUTDOWN_GRACE", c.shutdownGraceMs, QStringLiteral("a duration such as 30s"));
    if (c.shutdownGraceMs > 3'600'000LL)
        r.fail("SHUTDOWN_GRACE", QStringLiteral("must be at most 1h"));
    r.duration("DB_RETRY_MAX_DELAY", c.dbRetryMaxDelayMs, QStringLiteral("a duration such as 5s"));
    if (c.dbRetryMaxDelayMs < 100 || c.dbRetryMaxDelayMs > 600'000LL)
        r.fail("DB_RETRY_MAX_DELAY", QStringLiteral("must be between 100ms and 10m"));
    r.boolean("SUPPORTS_FLUX", c.supportsFlux);
    r.boolean("ENABLE_LORA_REQUESTS", c.enableLoraSupport);
    r.boolean("ENABLE_LORA_SUPPORT", c.enableLoraSupport);
    r.boolean("ALLOW_LEGACY_BOT_ENDPOINTS", c.allowLegacyBotEndpoints);

    r.string("SECRET_KEY", c.secretKey);
    if (c.secretKey.isEmpty())
        r.fail("SECRET_KEY", QStringLiteral("must be set to a non-empty secret (it signs login tokens); "
                                            "generate one with: openssl rand -hex 32"));
    r.duration("TOKEN_EXPIRATION_TIME", c.tokenExpirationMs,
               QStringLiteral("a duration such as 72h or 14d, or -1"));
    if (c.tokenExpirationMs <= 0 && c.tokenExpirationMs != -1)
        r.fail("TOKEN_EXPIRATION_TIME",
               QStringLiteral("must be a positive duration such as 72h, or -1 for never"));
    r.string("SUPERUSER_ADMIN_TOKEN", c.superuserAdminToken);
    r.boolean("ENABLE_DEMO_USER", c.enableDemoUser);
    r.integer("AUTH_ROLE_CACHE_MS", c.authRoleCacheMs, 0, 600'000);
    r.string("BOT_TOKEN", c.botToken);
    r.string("DISCORD_CLIENT_ID", c.discordClientId);
    r.string("DISCORD_CLIENT_SECRET", c.discordClientSecret);
    r.string("DISCORD_REDIRECT_URI", c.discordRedirectUri);
    r.url("DISCORD_API_BASE", c.discordApiBase);

    r.string("CIVITAI_API_KEY", c.civitaiApiKey);
    r.url("CIVITAI_API_BASE", c.civitaiApiBase);
    r.string("MODEL_DIR", c.modelDir);
    r.integer("MAX_CONCURRENT_DOWNLOADS", c.maxConcurrentDownloads, 1, 64);
    r.integer("MIN_FREE_SPACE_PERCENT", c.minFreeSpacePercent, 0, 99);
    r.duration("CIVITAI_TIMEOUT", c.civitaiTimeoutMs, QStringLiteral("a duration such as 30s"));
    r.byteSize("CIVITAI_PROXY_MAX_BYTES", c.civitaiProxyMaxBytes, QStringLiteral("10mb"));
    r.duration("LORA_METADATA_MAX_AGE", c.loraMetadataMaxAgeMs, QStringLiteral("a duration such as 7d"));
    r.duration("CATALOG_CACHE_TTL", c.catalogCacheTtlMs, QStringLiteral("a duration such as 5m"));
    r.duration("MODEL_REFRESH_INTERVAL", c.modelRefreshIntervalMs, QStringLiteral("a duration such as 30s"));

    r.integer("RT_PING_INTERVAL", c.rtPingIntervalMs, 50, 3'600'000);
    r.integer("RT_PING_TIMEOUT", c.rtPingTimeoutMs, 50, 3'600'000);
    r.integer("RT_MAX_PAYLOAD", c.rtMaxPayload, 1024, 100'000'000);
    r.integer("RT_MAX_SESSIONS", c.rtMaxSessions, 1, 1'000'000);
    r.duration("RT_PRIVILEGE_RECHECK", c.rtPrivilegeRecheckMs,
               QStringLiteral("a duration such as 60s, or 0"));

    r.choice("LOG_FORMAT", c.logFormat, {QStringLiteral("text"), QStringLiteral("json")});
    r.choice("ACCESS_LOG", c.accessLog,
             {QStringLiteral("off"), QStringLiteral("errors"), QStringLiteral("all")});
    r.string("METRICS_TOKEN", c.metricsToken);

    if (r.error())
        return *r.error();
    c.settings = r.settings();
    return c;
}

} // namespace nav::config

namespace nav::config {

std::variant<Config, ConfigError> loadConfigFromFile(const QString &path, bool mustExist) {
    EnvMap fileVars;
    QFile file(path);
    if (file.open(QIODevice::ReadOnly))
        fileVars = parseDotEnv(QString::fromUtf8(file.readAll()));
    else if (mustExist)
        return ConfigError{QStringLiteral("--env-file"),
                           QStringLiteral("cannot read --env-file %1: %2").arg(path, file.errorString())};
    // The process environment read straight from environ, as QProcessEnvironment::systemEnvironment() reads
    // it (NAME=value, the name up to the first '=', both in the locale's encoding): its code would keep two
    // more 64 KiB windows of Qt's text resident in an idle navigator.
    EnvMap env;
    for (char **entry = environ; *entry; ++entry) {
        const QString variable = QString::fromLocal8Bit(*entry);
        const qsizetype equals = variable.indexOf(QLatin1Char('='));
        if (equals > 0)
            env.insert(variable.left(equals), variable.mid(equals + 1));
    }
    return loadConfig(fileVars, env);
}

} // namespace nav::config
