// The .env parser, the ms-style duration parser, the typed Config with its validation, and the process
// environment over the --env-file.
#include "server/config/Config.h"
#include "server/config/Duration.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace nav::config;

class ConfigTest : public QObject {
    Q_OBJECT

    static EnvMap base() { return {{"SECRET_KEY", "s3cret"}}; }
    static Config load(const EnvMap &file, const EnvMap &env = {}) {
        auto result = loadConfig(file, env);
        if (auto *error = std::get_if<ConfigError>(&result))
            qFatal("unexpected config error: %s", qPrintable(error->message));
        return std::get<Config>(result);
    }
    static ConfigError loadError(const EnvMap &file, const EnvMap &env = {}) {
        auto result = loadConfig(file, env);
        if (!std::holds_alternative<ConfigError>(result))
            qFatal("expected a config error");
        return std::get<ConfigError>(result);
    }

private slots:
    void processEnvironmentOverridesTheEnvFile() {
        // loadConfigFromFile reads the process environment itself (from environ): a variable set there wins
        // over the file, and its value keeps every '=' after the name's.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile file(dir.filePath(QStringLiteral(".env")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("SECRET_KEY=from-file\nHTTP_API_PORT=4000\n");
        file.close();
        qputenv("SECRET_KEY", "from=the=environment");
        const auto loaded = loadConfigFromFile(file.fileName(), true);
        qunsetenv("SECRET_KEY");
        const auto *config = std::get_if<Config>(&loaded);
        QVERIFY2(config, config ? "" : qPrintable(std::get<ConfigError>(loaded).message));
        QCOMPARE(config->secretKey, QStringLiteral("from=the=environment"));
        QCOMPARE(config->httpPort, 4000);
    }

    void dotenvBasics() {
        const EnvMap env = parseDotEnv(QStringLiteral("# a comment\n"
                                                      "PLAIN=value\n"
                                                      "SPACED = spaced value  \n"
                                                      "export EXPORTED=yes\n"
                                                      "INLINE=abc # trailing comment\n"
                                                      "EMPTY=\n"
                                                      "   INDENTED=1\n"
                                                      "not a line at all\n"
                                                      "WINDOWS=crlf\r\n"));
        QCOMPARE(env.value("PLAIN"), QStringLiteral("value"));
        QCOMPARE(env.value("SPACED"), QStringLiteral("spaced value"));
        QCOMPARE(env.value("EXPORTED"), QStringLiteral("yes"));
        QCOMPARE(env.value("INLINE"), QStringLiteral("abc"));
        QVERIFY(env.contains("EMPTY"));
        QCOMPARE(env.value("EMPTY"), QString());
        QCOMPARE(env.value("INDENTED"), QStringLiteral("1"));
        QCOMPARE(env.value("WINDOWS"), QStringLiteral("crlf"));
        QCOMPARE(env.size(), 7);
    }

    void dotenvQuotes() {
        const EnvMap env = parseDotEnv(QStringLiteral("DOUBLE=\"a # not a comment\"\n"
                                                      "SINGLE='it''s'\n"
                                                      "NEWLINES=\"line1\\nline2\"\n"
                                                      "LITERAL='line1\\nline2'\n"
                                                      "BACKTICK=`has \"both\" 'quotes'`\n"
                                                      "MULTI=\"first\nsecond\"\n"
                                                      "AFTER=ok # comment\n"
                                                      "ESCAPED=\"say \\\"hi\\\"\"\n"));
        QCOMPARE(env.value("DOUBLE"), QStringLiteral("a # not a comment"));
        QCOMPARE(env.value("NEWLINES"), QStringLiteral("line1\nline2"));
        QCOMPARE(env.value("LITERAL"), QStringLiteral("line1\\nline2"));
        QCOMPARE(env.value("BACKTICK"), QStringLiteral("has \"both\" 'quotes'"));
        QCOMPARE(env.value("MULTI"), QStringLiteral("first\nsecond"));
        QCOMPARE(env.value("AFTER"), QStringLiteral("ok"));
        QCOMPARE(env.value("ESCAPED"), QStringLiteral("say \"hi\""));
    }

    void durations_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("hours") << "72h" << 72LL * 3600 * 1000;
        QTest::newRow("days") << "14d" << 14LL * 86400 * 1000;
        QTest::newRow("never") << "-1" << -1LL;
        QTest::newRow("bare number is ms") << "500" << 500LL;
        QTest::newRow("long unit") << "2 days" << 2LL * 86400 * 1000;
        QTest::newRow("fraction") << "1.5h" << 5400LL * 1000;
        QTest::newRow("minutes") << "10m" << 600'000LL;
        QTest::newRow("seconds") << "30s" << 30'000LL;
        QTest::newRow("weeks") << "1w" << 604'800'000LL;
        QTest::newRow("upper case") << "3H" << 3LL * 3600 * 1000;
    }
    void durations() {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        QCOMPARE(parseDurationMs(text), std::optional<qint64>(ms));
    }
    void badDurations() {
        for (const char *bad : {"", "abc", "12 parsecs", "h", "1h2m", "--1"})
            QVERIFY2(!parseDurationMs(QString::fromLatin1(bad)), bad);
    }

    void defaults() {
        const Config c = load(base());
        QCOMPARE(c.httpPort, 3333);
        QCOMPARE(c.rtPort, 3334);
        QCOMPARE(c.imagePixelLimit, 3'686'400);
        QCOMPARE(c.tokenExpirationMs, 72LL * 3600 * 1000);
        QCOMPARE(c.db.driver, QStringLiteral("sqlite"));
        QCOMPARE(c.db.path, QStringLiteral("./navigator.db"));
        QCOMPARE(c.jobProgressCheckIntervalMs, 1000);
        QCOMPARE(c.maxBodyBytes, 50LL * 1024 * 1024);
        QCOMPARE(c.rtPingIntervalMs, 25000);
        QCOMPARE(c.rtPingTimeoutMs, 20000);
        QCOMPARE(c.rtMaxPayload, 1'000'000);
        QVERIFY(!c.enableDemoUser);
        QVERIFY(!c.allowLegacyBotEndpoints);
        QCOMPARE(c.sdApiBase().toString(), QStringLiteral("http://127.0.0.1:7860"));
    }

    void environmentWinsOverFile() {
        EnvMap file = base();
        file.insert("HTTP_API_PORT", "4000");
        file.insert("RT_API_PORT", "4001");
        const Config c = load(file, {{"HTTP_API_PORT", "5000"}});
        QCOMPARE(c.httpPort, 5000);
        QCOMPARE(c.rtPort, 4001);
    }

    void originalVariables() {
        EnvMap file = base();
        file.insert("TOKEN_EXPIRATION_TIME", "14d");
        file.insert("ENABLE_DEMO_USER", "true");
        file.insert("ENABLE_LORA_REQUESTS", "true");
        file.insert("IMAGE_PIXEL_LIMIT", "1048576");
        file.insert("SD_API_HOST", "http://gpu-box:7861/sdapi/v1");
        file.insert("DB_DRIVER", "mysql");
        file.insert("DB_USER", "nav");
        file.insert("DB_PORT", "3307");
        const Config c = load(file);
        QCOMPARE(c.tokenExpirationMs, 14LL * 86400 * 1000);
        QVERIFY(c.enableDemoUser);
        QVERIFY(c.enableLoraSupport); // ENABLE_LORA_REQUESTS is the original's name
        QCOMPARE(c.imagePixelLimit, 1'048'576);
        QCOMPARE(c.sdApiBase().toString(), QStringLiteral("http://gpu-box:7861"));
        QCOMPARE(c.db.driver, QStringLiteral("mysql"));
        QCOMPARE(c.db.port, 3307);
        QCOMPARE(load(base(), {{"TOKEN_EXPIRATION_TIME", "-1"}}).tokenExpirationMs, -1);
        QCOMPARE(load(base(), {{"MAX_BODY_SIZE", "1mb"}}).maxBodyBytes, 1024 * 1024);
    }

    void badValues_data() {
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        QTest::newRow("empty secret") << "SECRET_KEY"
                                      << "";
        QTest::newRow("port text") << "HTTP_API_PORT"
                                   << "http";
        QTest::newRow("port range") << "RT_API_PORT"
                                    << "70000";
        QTest::newRow("bool") << "ENABLE_DEMO_USER"
                              << "maybe";
        QTest::newRow("duration") << "TOKEN_EXPIRATION_TIME"
                                  << "soon";
        QTest::newRow("zero duration") << "TOKEN_EXPIRATION_TIME"
                                       << "0";
        QTest::newRow("url") << "SD_API_HOST"
                             << "ftp://x";
        QTest::newRow("url in a list") << "SD_API_HOST"
                                       << "http://a:7860/sdapi/v1,ftp://b";
        QTest::newRow("duplicate backend") << "SD_API_HOST"
                                           << "http://a:7860/sdapi/v1, http://a:7860/sdapi/v1";
        QTest::newRow("per-user cap") << "MAX_JOBS_PER_USER"
                                      << "-1";
        QTest::newRow("max skips") << "SCHEDULER_MAX_SKIPS"
                                   << "many";
        QTest::newRow("max wait") << "JOB_MAX_WAIT"
                                  << "10";
        QTest::newRow("probe cap") << "BACKEND_PROBE_MAX_INTERVAL"
                                   << "1h";
        QTest::newRow("driver") << "DB_DRIVER"
                                << "postgres";
        QTest::newRow("pixels") << "IMAGE_PIXEL_LIMIT"
                                << "-5";
        QTest::newRow("body size") << "MAX_BODY_SIZE"
                                   << "lots";
        QTest::newRow("trust proxy") << "TRUST_PROXY"
                                     << "sometimes";
        QTest::newRow("trust proxy hops") << "TRUST_PROXY"
                                          << "64";
        QTest::newRow("header timeout") << "HTTP_HEADER_TIMEOUT"
                                        << "5ms";
        QTest::newRow("body budget") << "HTTP_BODY_BUDGET"
                                     << "plenty";
        QTest::newRow("connections per ip") << "HTTP_MAX_CONNECTIONS_PER_IP"
                                            << "-1";
        QTest::newRow("worker nice") << "WORKER_NICE"
                                     << "20";
        QTest::newRow("role cache negative") << "AUTH_ROLE_CACHE_MS"
                                             << "-1";
        QTest::newRow("role cache too long") << "AUTH_ROLE_CACHE_MS"
                                             << "600001";
        QTest::newRow("role cache text") << "AUTH_ROLE_CACHE_MS"
                                         << "1s";
    }
    void badValues() {
        QFETCH(QString, variable);
        QFETCH(QString, value);
        EnvMap file = base();
        // The empty secret is a missing value: overriding with "" must not count as set.
        file.insert(variable, value);
        const ConfigError error = loadError(file);
        QCOMPARE(error.variable, variable);
        QVERIFY2(error.message.startsWith(variable + ' '), qPrintable(error.message));
    }

    void sdApiBaseDropsTheApiSuffix_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("base");
        QTest::newRow("suffix") << "http://gpu:7860/sdapi/v1"
                                << "http://gpu:7860";
        QTest::newRow("suffix and slash") << "http://gpu:7860/sdapi/v1/"
                                          << "http://gpu:7860";
        QTest::newRow("behind a prefix") << "https://proxy/forge/sdapi/v1"
                                         << "https://proxy/forge";
        QTest::newRow("no suffix") << "http://gpu:7860"
                                   << "http://gpu:7860";
        QTest::newRow("suffix not at the end") << "http://gpu/sdapi/v1/x"
                                               << "http://gpu/sdapi/v1/x";
        QTest::newRow("longer version") << "http://gpu/sdapi/v12"
                                        << "http://gpu/sdapi/v12";
    }
    void sdApiBaseDropsTheApiSuffix() {
        QFETCH(QString, host);
        QFETCH(QString, base);
        QCOMPARE(Config::sdApiBaseOf(QUrl(host)).toString(), base);
    }

    void severalBackends() {
        EnvMap file = base();
        file.insert("SD_API_HOST", "http://u:p@gpu1:7860/sdapi/v1, http://gpu2:7861/sdapi/v1");
        const Config c = load(file);
        QCOMPARE(c.sdApiHosts.size(), 2);
        QCOMPARE(c.sdApiHost, c.sdApiHosts.first());
        QCOMPARE(Config::sdApiBaseOf(c.sdApiHosts[1]).toString(), QStringLiteral("http://gpu2:7861"));
        // A configuration error never echoes the credentials.
        file.insert("SD_API_HOST", "http://u:s3cret@gpu1:7860/sdapi/v1,ftp://u:s3cret@x");
        QVERIFY(!loadError(file).message.contains("s3cret"));
    }

    void schedulingDefaults() {
        const Config c = load(base());
        QCOMPARE(c.sdApiHosts.size(), 1);
        QCOMPARE(c.maxJobsPerUser, 20);
        QCOMPARE(c.schedulerMaxSkips, 4);
        QCOMPARE(c.jobMaxWaitMs, 3'600'000);
        QCOMPARE(c.backendProbeMaxMs, 5000);
        QCOMPARE(c.workerNice, 10);
        QCOMPARE(load(base(), {{"WORKER_NICE", "0"}}).workerNice, 0);
    }

    void roleCache() {
        QCOMPARE(load(base()).authRoleCacheMs, 1000);
        QCOMPARE(load(base(), {{"AUTH_ROLE_CACHE_MS", "0"}}).authRoleCacheMs, 0);
        QCOMPARE(load(base(), {{"AUTH_ROLE_CACHE_MS", "600000"}}).authRoleCacheMs, 600'000);
    }

    void databaseDefaultsAreTheOriginals() {
        const Config c = load(base(), {{"DB_DRIVER", "mysql"}});
        QCOMPARE(c.db.host, QStringLiteral("localhost"));
        QCOMPARE(c.db.user, QStringLiteral("bitjourney"));
        QCOMPARE(c.db.password, QStringLiteral("password"));
        QCOMPARE(c.db.name, QStringLiteral("bitjourney"));
    }
};

QTEST_APPLESS_MAIN(ConfigTest)
#include "tst_config.moc"
