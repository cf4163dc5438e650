// The configuration variables of the models/CivitAI area: defaults, parsing and errors naming the variable.
#include "server/config/Config.h"

#include <QtTest>

using namespace nav::config;

class TestModelConfig : public QObject {
    Q_OBJECT
    static EnvMap base() { return {{"SECRET_KEY", "s"}}; }

private slots:
    void defaults() {
        const auto loaded = loadConfig({}, base());
        QVERIFY(std::holds_alternative<Config>(loaded));
        const Config &c = std::get<Config>(loaded);
        QCOMPARE(c.maxConcurrentDownloads, 2);
        QCOMPARE(c.minFreeSpacePercent, 10);
        QCOMPARE(c.civitaiTimeoutMs, 30'000);
        QCOMPARE(c.civitaiProxyMaxBytes, 10LL << 20);
        QCOMPARE(c.loraMetadataMaxAgeMs, 7LL * 86'400'000);
        QCOMPARE(c.catalogCacheTtlMs, 300'000);
        QCOMPARE(c.civitaiApiBase, QUrl("https://civitai.com/api/v1"));
    }

    void values() {
        EnvMap env = base();
        env.insert("MAX_CONCURRENT_DOWNLOADS", "5");
        env.insert("MIN_FREE_SPACE_PERCENT", "20");
        env.insert("CIVITAI_TIMEOUT", "5s");
        env.insert("CIVITAI_PROXY_MAX_BYTES", "2mb");
        env.insert("LORA_METADATA_MAX_AGE", "1d");
        env.insert("CATALOG_CACHE_TTL", "1m");
        env.insert("CIVITAI_API_BASE", "http://127.0.0.1:9/api/v1");
        const Config c = std::get<Config>(loadConfig({}, env));
        QCOMPARE(c.maxConcurrentDownloads, 5);
        QCOMPARE(c.minFreeSpacePercent, 20);
        QCOMPARE(c.civitaiTimeoutMs, 5000);
        QCOMPARE(c.civitaiProxyMaxBytes, 2LL << 20);
        QCOMPARE(c.loraMetadataMaxAgeMs, 86'400'000);
        QCOMPARE(c.catalogCacheTtlMs, 60'000);
        QCOMPARE(c.civitaiApiBase, QUrl("http://127.0.0.1:9/api/v1"));
    }

    void errorsNameTheVariable_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::newRow("downloads zero") << "MAX_CONCURRENT_DOWNLOADS"
                                        << "0";
        QTest::newRow("free space") << "MIN_FREE_SPACE_PERCENT"
                                    << "150";
        QTest::newRow("timeout") << "CIVITAI_TIMEOUT"
                                 << "soon";
        QTest::newRow("proxy size") << "CIVITAI_PROXY_MAX_BYTES"
                                    << "lots";
        QTest::newRow("base") << "CIVITAI_API_BASE"
                              << "ftp://civitai.com";
    }
    void errorsNameTheVariable() {
        QFETCH(QString, name);
        QFETCH(QString, value);
        EnvMap env = base();
        env.insert(name, value);
        const auto loaded = loadConfig({}, env);
        QVERIFY(std::holds_alternative<ConfigError>(loaded));
        QCOMPARE(std::get<ConfigError>(loaded).variable, name);
    }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "tst_modelconfig.moc"
