// Units of the operations layer: the Prometheus text format, JSON log lines with job context, and how
// --check-config records and masks variables.
#include "server/config/Config.h"
#include "server/ops/Logging.h"
#include "server/ops/Metrics.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace nav;

class OpsUnitsTest : public QObject {
    Q_OBJECT

private slots:
    void counterRendersLabelledSeriesInStableOrder() {
        ops::CounterFamily counter("t_failed_total", "Failed.\nSecond line \\ slash", {"reason"});
        counter.inc({"B"});
        counter.inc({"A"}, 2);
        counter.inc({"B"});
        QByteArray out;
        counter.render(out);
        QCOMPARE(out, QByteArray("# HELP t_failed_total Failed.\\nSecond line \\\\ slash\n"
                                 "# TYPE t_failed_total counter\n"
                                 "t_failed_total{reason=\"A\"} 2\n"
                                 "t_failed_total{reason=\"B\"} 2\n"));
    }

    void unlabelledCounterShowsZeroBeforeAnyEvent() {
        ops::CounterFamily counter("t_total", "T.");
        QByteArray out;
        counter.render(out);
        QVERIFY(out.endsWith("\nt_total 0\n"));
    }

    void labelValuesAreEscaped() {
        QCOMPARE(ops::formatLabels({"a", "b"}, {"x\"y", "back\\slash\nnl"}),
                 QByteArray("{a=\"x\\\"y\",b=\"back\\\\slash\\nnl\"}"));
    }

    void histogramBucketsAreCumulative() {
        ops::HistogramFamily histogram("t_seconds", "T.", {1, 0.5, 5}, {"route"});
        histogram.observe(0.2, {"/a"});
        histogram.observe(0.5, {"/a"}); // on a bound: counts in that bucket (le = less or equal)
        histogram.observe(3, {"/a"});
        histogram.observe(60, {"/a"});
        QByteArray out;
        histogram.render(out);
        QVERIFY2(out.contains("t_seconds_bucket{route=\"/a\",le=\"0.5\"} 2\n"), out);
        QVERIFY2(out.contains("t_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"), out);
        QVERIFY2(out.contains("t_seconds_bucket{route=\"/a\",le=\"5\"} 3\n"), out);
        QVERIFY2(out.contains("t_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"), out);
        QVERIFY2(out.contains("t_seconds_sum{route=\"/a\"} 63.7\n"), out);
        QVERIFY2(out.contains("t_seconds_count{route=\"/a\"} 4\n"), out);
        QCOMPARE(histogram.count({"/a"}), quint64(4));
    }

    void valuesUseTheTextFormatSpelling() {
        QCOMPARE(ops::formatValue(3), QByteArray("3"));
        QCOMPARE(ops::formatValue(0.25), QByteArray("0.25"));
        QCOMPARE(ops::formatValue(std::numeric_limits<double>::infinity()), QByteArray("+Inf"));
        QCOMPARE(ops::formatValue(std::nan("")), QByteArray("NaN"));
    }

    void jsonLogLineCarriesJobContext() {
        const ops::LogContext outer(QStringLiteral("job1"), QStringLiteral("42"));
        const QByteArray line =
            ops::formatLogLine(ops::LogFormat::Json, QtWarningMsg, "navigator.queue",
                               QStringLiteral("said \"hi\"\nthen left"), ops::LogContext::current());
        QVERIFY(!line.contains('\n')); // one object per line, whatever the message holds
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        QCOMPARE(object.value("level").toString(), QStringLiteral("warning"));
        QCOMPARE(object.value("category").toString(), QStringLiteral("navigator.queue"));
        QCOMPARE(object.value("message").toString(), QStringLiteral("said \"hi\"\nthen left"));
        QCOMPARE(object.value("job_id").toString(), QStringLiteral("job1"));
        QCOMPARE(object.value("user").toString(), QStringLiteral("42"));
        QVERIFY(QDateTime::fromString(object.value("time").toString(), Qt::ISODateWithMs).isValid());
    }

    void logContextNestsAndEnds() {
        {
            const ops::LogContext outer(QStringLiteral("a"));
            {
                const ops::LogContext inner(QStringLiteral("b"));
                QCOMPARE(ops::LogContext::current()->jobId(), QStringLiteral("b"));
            }
            QCOMPARE(ops::LogContext::current()->jobId(), QStringLiteral("a"));
        }
        QVERIFY(ops::LogContext::current() == nullptr);
        const QJsonObject object =
            QJsonDocument::fromJson(ops::formatLogLine(ops::LogFormat::Json, QtInfoMsg, "c", "m", nullptr))
                .object();
        QVERIFY(!object.contains("job_id"));
        QVERIFY(!object.contains("user"));
    }

    void textLogLineNamesLevelCategoryAndJob() {
        const ops::LogContext context(QStringLiteral("j9"));
        const QString line = QString::fromUtf8(
            ops::formatLogLine(ops::LogFormat::Text, QtInfoMsg, "navigator.http", "GET / 200", &context));
        QVERIFY2(line.contains(" INFO  navigator.http: GET / 200 [job j9]"), qPrintable(line));
    }

    void credentialsInMessagesAreRedacted_data() {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("expected");
        QTest::newRow("qt request dump")
            << R"x(Headers: ("Authorization": "Bearer abc.def.ghi"), ("Host": "x"))x"
            << R"x(Headers: ("Authorization": "(hidden)"), ("Host": "x"))x";
        QTest::newRow("raw superuser token") << "authorization: s3cr3t-token next"
                                             << "authorization: (hidden) next";
        QTest::newRow("bearer alone") << "got Bearer eyJ.x.y from client"
                                      << "got Bearer (hidden) from client";
        QTest::newRow("url password") << "GET http://forge:pw123@gpu:7860/sdapi/v1/options failed"
                                      << "GET http://forge:(hidden)@gpu:7860/sdapi/v1/options failed";
        QTest::newRow("download url")
            << "https://civitai.com/api/download/models/1?type=Model&token=k3y failed"
            << "https://civitai.com/api/download/models/1?type=Model&token=(hidden) failed";
        QTest::newRow("plain") << "queued 1a2b3c4d for 42"
                               << "queued 1a2b3c4d for 42";
        QTest::newRow("email-like stays") << "user@example.org"
                                          << "user@example.org";
    }
    void credentialsInMessagesAreRedacted() {
        QFETCH(QString, message);
        QFETCH(QString, expected);
        QCOMPARE(ops::redactSecrets(message), expected);
        QVERIFY(!ops::formatLogLine(ops::LogFormat::Json, QtDebugMsg, "qt.httpserver", message, nullptr)
                     .contains("abc.def.ghi"));
    }

    void settingsRecordEveryVariableWithItsSource() {
        const auto loaded =
            config::loadConfig({{"RT_API_PORT", "4000"}}, {{"SECRET_KEY", "s3cr3t"}, {"LOG_FORMAT", "JSON"}});
        const auto &c = std::get<config::Config>(loaded);
        QCOMPARE(c.logFormat, QStringLiteral("json"));
        QHash<QString, config::Setting> byName;
        for (const auto &setting : c.settings)
            byName.insert(setting.name, setting);
        QCOMPARE(byName.value("RT_API_PORT").source, QStringLiteral(".env"));
        QCOMPARE(byName.value("RT_API_PORT").value, QStringLiteral("4000"));
        QCOMPARE(byName.value("SECRET_KEY").source, QStringLiteral("environment"));
        QCOMPARE(byName.value("HTTP_API_PORT").source, QStringLiteral("default"));
        QCOMPARE(byName.value("HTTP_API_PORT").value, QStringLiteral("3333"));
        QCOMPARE(byName.value("ACCESS_LOG").value, QStringLiteral("errors"));
        QVERIFY(byName.contains("METRICS_TOKEN"));
        QVERIFY(byName.contains("MAX_BODY_SIZE"));
    }

    void badLogSettingsNameTheVariable() {
        const auto loaded = config::loadConfig({}, {{"SECRET_KEY", "x"}, {"ACCESS_LOG", "verbose"}});
        QVERIFY(std::holds_alternative<config::ConfigError>(loaded));
        QCOMPARE(std::get<config::ConfigError>(loaded).variable, QStringLiteral("ACCESS_LOG"));
    }

    void secretsAreMasked_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("shown");
        QTest::newRow("secret key") << "SECRET_KEY"
                                    << "abc"
                                    << "(set, hidden)";
        QTest::newRow("admin token") << "SUPERUSER_ADMIN_TOKEN"
                                     << "abc"
                                     << "(set, hidden)";
        QTest::newRow("bot token") << "BOT_TOKEN"
                                   << "abc"
                                   << "(set, hidden)";
        QTest::newRow("discord secret") << "DISCORD_CLIENT_SECRET"
                                        << "abc"
                                        << "(set, hidden)";
        QTest::newRow("db password") << "DB_PASSWORD"
                                     << "abc"
                                     << "(set, hidden)";
        QTest::newRow("civitai key") << "CIVITAI_API_KEY"
                                     << "abc"
                                     << "(set, hidden)";
        QTest::newRow("metrics token") << "METRICS_TOKEN"
                                       << ""
                                       << "(not set)";
        QTest::newRow("a pass") << "SMTP_PASS"
                                << "abc"
                                << "(set, hidden)";
        QTest::newRow("secret only in the middle") << "SECRET_KEY_FILE"
                                                   << "/run/key"
                                                   << "/run/key";
        QTest::newRow("lower case is not a secret name") << "my_token"
                                                         << "abc"
                                                         << "abc";
        QTest::newRow("forge basic auth") << "SD_API_HOST"
                                          << "http://forge:pa55@gpu:7860/sdapi/v1"
                                          << "http://forge:(hidden)@gpu:7860/sdapi/v1";
        QTest::newRow("list of forges") << "SD_API_HOST"
                                        << "http://a:p1@h1/sdapi/v1,https://b:p2@h2/sdapi/v1"
                                        << "http://a:(hidden)@h1/sdapi/v1,https://b:(hidden)@h2/sdapi/v1";
        QTest::newRow("plain") << "HTTP_API_PORT"
                               << "3333"
                               << "3333";
    }
    void secretsAreMasked() {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, shown);
        QCOMPARE(config::maskedValue({name, value, "environment"}), shown);
    }
};

QTEST_GUILESS_MAIN(OpsUnitsTest)
#include "tst_opsunits.moc"
