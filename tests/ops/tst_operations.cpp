// The operator's view of a real run (navigator + forge-sim + a fresh database): GET /metrics checked with
// promtool, METRICS_TOKEN, /healthz and /readyz as a backend goes away, JSON logs with job context, the
// ACCESS_LOG modes, a grep of a whole run's logs for every secret it was given, OpenSSL left unloaded
// while nothing speaks TLS, and the start-up code layout that keeps an idle navigator's text small.
#include "tests/pipeline/PipelineHarness.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>
#include <QUuid>
#include <QtTest>

#include <csignal>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace nav::test;

namespace {

const QString kAlice = QStringLiteral("111111111111111111");

// One sample's value from a /metrics body, or NaN when the series is absent.
double sample(const QByteArray &metrics, const QString &series) {
    for (const QByteArray &line : metrics.split('\n'))
        if (line.startsWith(series.toUtf8() + ' '))
            return line.mid(series.toUtf8().size() + 1).toDouble();
    return std::nan("");
}

// Runs `promtool check metrics` on the body; returns its complaints, or "" when it is happy.
QString promtoolComplaints(const QByteArray &metrics) {
    QProcess promtool;
    promtool.start(QStringLiteral("promtool"), {"check", "metrics"});
    if (!promtool.waitForStarted(10000))
        return QStringLiteral("promtool did not start");
    promtool.write(metrics);
    promtool.closeWriteChannel();
    if (!promtool.waitForFinished(30000))
        return QStringLiteral("promtool did not finish");
    const QString output =
        QString::fromUtf8(promtool.readAllStandardOutput() + promtool.readAllStandardError());
    return promtool.exitCode() == 0 && output.trimmed().isEmpty() ? QString() : output;
}

QString submitAndWait(PipelineHarness &h, const QString &user, const QJsonObject &fields = {}) {
    const HttpReply reply = h.txt2img(user, fields);
    if (reply.status != 200)
        return {};
    const QString id = reply.json().value("job_id").toString();
    h.waitForFinal(user, id);
    return id;
}

} // namespace

class OperationsTest : public QObject {
    Q_OBJECT

private slots:
    void openSslStaysUnloadedWithoutTls() {
        // JWTs are signed and checked with Qt alone, and Qt's TLS backend loads on the first https call, so a
        // plain-HTTP run never maps libcrypto (1.4 MiB of resident pages).
        if (qEnvironmentVariable("NAVIGATOR_TEST_DB") == QLatin1String("mysql"))
            QSKIP("MariaDB's client library (libmariadb) links OpenSSL itself; the SQLite run checks this");
        PipelineHarness h({"--step-ms", "0"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString finished = submitAndWait(h, kAlice); // a JWT-authenticated submission and its job
        QCOMPARE(h.job(kAlice, finished).value("status").toString(), QStringLiteral("finished"));
        QFile maps(QStringLiteral("/proc/%1/maps").arg(h.nav().process().pid()));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray mapped = maps.readAll();
        QVERIFY(mapped.contains("libQt6Network"));
        QVERIFY2(!mapped.contains("libcrypto.so"), "libcrypto is mapped in a run without TLS");
        QVERIFY2(!mapped.contains("libssl.so"), "libssl is mapped in a run without TLS");
    }

    void startUpCodeStaysTogether() {
        // The link puts the functions that run from start-up to idle side by side (server/startup-order.ld),
        // so an idle navigator keeps only part of its text resident; the kernel maps code in 64 KiB windows
        // around each page that runs, and scattered start-up code kept 1.9 MiB of the 2.3 MB text mapped.
        if (qEnvironmentVariable("NAVIGATOR_TEST_DB") == QLatin1String("mysql"))
            QSKIP("the list is recorded on SQLite; the SQLite run checks it");
#ifndef NDEBUG
        QSKIP("the list is recorded on an optimised build (RelWithDebInfo)");
#endif
        PipelineHarness h({"--step-ms", "0"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // Idle as tests/bench/idle_bench.mjs measures it: the backend probed, then nothing to do.
        QTRY_VERIFY_WITH_TIMEOUT(h.nav().process().output().contains(" is up, loaded checkpoint"), 20000);
        QTest::qWait(2000);
        QFile smaps(QStringLiteral("/proc/%1/smaps").arg(h.nav().process().pid()));
        QVERIFY(smaps.open(QIODevice::ReadOnly));
        qint64 textKib = 0;
        bool inText = false;
        for (const QByteArray &line : smaps.readAll().split('\n')) {
            const QList<QByteArray> fields = line.simplified().split(' ');
            if (fields.size() >= 5 && fields[0].contains('-'))
                inText = fields[1] == "r-xp" && fields.last().endsWith("/navigator");
            else if (inText && line.startsWith("Rss:"))
                textKib += fields.value(1).toLongLong();
        }
        QVERIFY2(textKib > 0, "no text mapping of navigator found");
        QVERIFY2(textKib <= 1024, qPrintable(QStringLiteral("%1 KiB of navigator's text resident at idle: "
                                                            "start-up code is scattered again (run "
                                                            "scripts/startup-order.sh and commit its list)")
                                                 .arg(textKib)));
    }

    void metricsAfterRealJobsPassPromtool() {
        if (QStandardPaths::findExecutable("promtool").isEmpty()) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL("promtool is missing (apt install prometheus; scripts/deps.sh does)");
            QSKIP("promtool is missing (apt install prometheus)");
        }
        PipelineHarness h({"--step-ms", "10"});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString backend = h.backendName(0);

        const QString finished = submitAndWait(h, kAlice);
        QCOMPARE(h.job(kAlice, finished).value("status").toString(), QStringLiteral("finished"));
        QVERIFY(h.sim().faults({{"fail_next", 1}, {"fail_status", 500}}));
        const QString failed = submitAndWait(h, kAlice, {{"model_name", kModelB}}); // a checkpoint swap
        QCOMPARE(h.job(kAlice, failed).value("status").toString(), QStringLiteral("failed"));
        QCOMPARE(http("GET", h.nav().url("/api/images/doesnotexist")).status, 404);

        const HttpReply reply = http("GET", h.nav().url("/metrics"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("content-type").startsWith("text/plain; version=0.0.4"));
        const QByteArray m = reply.body;
        QCOMPARE(sample(m, "navigator_jobs_submitted_total"), 2.0);
        QCOMPARE(sample(m, R"(navigator_jobs_finished_total{status="finished"})"), 1.0);
        QCOMPARE(sample(m, R"(navigator_jobs_failed_total{reason="HTTP_500"})"), 1.0);
        QCOMPARE(sample(m, "navigator_job_wait_seconds_count"), 2.0);
        QCOMPARE(sample(m, "navigator_job_run_seconds_count"), 2.0);
        QCOMPARE(sample(m, "navigator_queue_length"), 0.0);
        QCOMPARE(sample(m, "navigator_jobs_running"), 0.0);
        QCOMPARE(sample(m, QStringLiteral(R"(navigator_backend_up{backend="%1"})").arg(backend)), 1.0);
        QCOMPARE(sample(m, QStringLiteral(R"(navigator_backend_busy{backend="%1"})").arg(backend)), 0.0);
        QCOMPARE(sample(m, QStringLiteral(
                               R"(navigator_backend_generations_total{backend="%1",outcome="succeeded"})")
                               .arg(backend)),
                 1.0);
        QCOMPARE(
            sample(m, QStringLiteral(R"(navigator_backend_generations_total{backend="%1",outcome="failed"})")
                          .arg(backend)),
            1.0);
        // forge-sim starts with model A loaded: only the job for model B swapped.
        QCOMPARE(
            sample(m,
                   QStringLiteral(R"(navigator_backend_checkpoint_swaps_total{backend="%1"})").arg(backend)),
            1.0);
        // Requests by route template, not by path.
        QCOMPARE(
            sample(
                m,
                R"(navigator_http_requests_total{method="POST",route="/api/queue/user/txt2img",code="2xx"})"),
            2.0);
        QCOMPARE(
            sample(m, R"(navigator_http_requests_total{method="GET",route="/api/images/:jobId",code="4xx"})"),
            1.0);
        QVERIFY(
            sample(m, R"(navigator_http_request_duration_seconds_count{route="/api/queue/jobs/:jobId"})") >=
            2);
        QCOMPARE(sample(m, R"(navigator_realtime_clients{transport="polling"})"), 0.0);
        QCOMPARE(sample(m, R"(navigator_realtime_clients{transport="websocket"})"), 0.0);
        QCOMPARE(sample(m, "navigator_database_errors_total"), 0.0);
        QVERIFY(sample(m, "process_resident_memory_bytes") > 1e6);
        QVERIFY(sample(m, "process_open_fds") > 3);

        const QString complaints = promtoolComplaints(m);
        QVERIFY2(complaints.isEmpty(), qPrintable(complaints));
    }

    void metricsTokenIsRequiredWhenSet() {
        TestDatabase db;
        NavigatorInstance nav(db, {{"METRICS_TOKEN", "scrape-me-please"}});
        QVERIFY2(nav.start(), nav.process().output().constData());
        const HttpReply none = http("GET", nav.url("/metrics"));
        QCOMPARE(none.status, 401);
        QCOMPARE(none.header("www-authenticate"), QByteArray("Bearer"));
        QCOMPARE(none.json().value("error_code").toString(), QStringLiteral("UNAUTHORIZED"));
        QCOMPARE(http("GET", nav.url("/metrics"), {}, {{"Authorization", "Bearer scrape-me-NOT"}}).status,
                 401);
        QCOMPARE(http("GET", nav.url("/metrics"), {}, {{"Authorization", "scrape-me-please"}}).status, 401);
        const HttpReply ok =
            http("GET", nav.url("/metrics"), {}, {{"Authorization", "Bearer scrape-me-please"}});
        QCOMPARE(ok.status, 200);
        QVERIFY(ok.body.contains("navigator_jobs_submitted_total"));
    }

    void healthAndReadinessFollowTheBackend() {
        PipelineHarness h;
        const QString error = h.start({});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const HttpReply health = http("GET", h.nav().url("/healthz"));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value("status").toString(), QStringLiteral("ok"));

        const HttpReply ready = http("GET", h.nav().url("/readyz"));
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.json().value("status").toString(), QStringLiteral("ready"));
        QCOMPARE(ready.json().value("database").toObject().value("up").toBool(), true);
        const QJsonArray backends = ready.json().value("backends").toArray();
        QCOMPARE(backends.size(), 1);
        QCOMPARE(backends[0].toObject().value("name").toString(), h.backendName(0));
        QCOMPARE(backends[0].toObject().value("up").toBool(), true);
        QVERIFY(ready.json().value("down").toArray().isEmpty());

        h.sim().kill();
        HttpReply notReady;
        for (int i = 0; i < 100 && notReady.status != 503; ++i) { // past the 1 s cache
            notReady = http("GET", h.nav().url("/readyz"));
            QThread::msleep(100);
        }
        QCOMPARE(notReady.status, 503);
        QCOMPARE(notReady.json().value("error_code").toString(), QStringLiteral("NOT_READY"));
        QVERIFY2(notReady.json().value("error").toString().contains("no backend is up"),
                 notReady.body.constData());
        QCOMPARE(notReady.json().value("down").toArray(),
                 QJsonArray{QStringLiteral("backend ") + h.backendName(0)});
        QCOMPARE(notReady.json().value("database").toObject().value("up").toBool(), true);
        // Liveness does not depend on the backend.
        QCOMPARE(http("GET", h.nav().url("/healthz")).status, 200);
        const QByteArray m = http("GET", h.nav().url("/metrics")).body;
        QCOMPARE(sample(m, QStringLiteral(R"(navigator_backend_up{backend="%1"})").arg(h.backendName(0))),
                 0.0);

        QVERIFY(h.sim().start());
        HttpReply back;
        for (int i = 0; i < 100 && back.status != 200; ++i) {
            back = http("GET", h.nav().url("/readyz"));
            QThread::msleep(100);
        }
        QCOMPARE(back.status, 200);
    }

    void jsonLogsAreOneObjectPerLineWithJobContext() {
        PipelineHarness h({"--step-ms", "10"}, {{"LOG_FORMAT", "json"}, {"ACCESS_LOG", "all"}});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString id = submitAndWait(h, kAlice);
        QVERIFY(!id.isEmpty());
        h.nav().terminate();

        int lines = 0;
        bool jobLine = false, accessLine = false;
        for (const QByteArray &line : h.nav().process().output().split('\n')) {
            if (line.trimmed().isEmpty())
                continue;
            ++lines;
            QJsonParseError parseError{};
            const QJsonObject object = QJsonDocument::fromJson(line, &parseError).object();
            QVERIFY2(parseError.error == QJsonParseError::NoError, line.constData());
            for (const char *key : {"time", "level", "category", "message"})
                QVERIFY2(object.contains(QLatin1String(key)), line.constData());
            if (object.value("job_id").toString() == id) {
                QCOMPARE(object.value("user").toString(), kAlice);
                jobLine = true;
            }
            if (object.value("category").toString() == QLatin1String("navigator.http") &&
                object.value("message").toString().startsWith("POST /api/queue/user/txt2img 200"))
                accessLine = true;
        }
        QVERIFY(lines >= 4);
        QVERIFY2(jobLine, "no log line carried the job id and its user");
        QVERIFY2(accessLine, "ACCESS_LOG=all did not log the submission");
    }

    // Type=notify: systemd passes NOTIFY_SOCKET (a unix datagram socket); navigator sends READY=1 once it
    // listens, and STOPPING=1 as soon as a SIGTERM starts the graceful shutdown (while the running job still
    // finishes), so that systemd shows the unit as deactivating. Here the test plays systemd.
    void notifiesSystemdWhenReadyAndStopping() {
        QTemporaryDir dir;
        const QByteArray path = dir.filePath("notify").toUtf8();
        const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        qstrncpy(address.sun_path, path.constData(), sizeof(address.sun_path));
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
        const timeval timeout{20, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        const auto receive = [fd] {
            char buffer[512] = {};
            const ssize_t size = ::recv(fd, buffer, sizeof(buffer) - 1, 0);
            return size > 0 ? QByteArray(buffer, int(size)).split('\n') : QList<QByteArray>{};
        };

        PipelineHarness h({"--step-ms", "50"}, {{"NOTIFY_SOCKET", QString::fromUtf8(path)}});
        const QString error = h.start({kAlice});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(receive().contains("READY=1"), "navigator sent no READY=1 to NOTIFY_SOCKET");

        // A 5 s job is running when SIGTERM arrives: STOPPING=1 comes at once, not after the job.
        const QString id = h.txt2img(kAlice, {{"steps", 100}}).json().value("job_id").toString();
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(h.sim().state().value("busy").toBool(), 20000);
        // The job reaches Forge while its row is written; its 'started' write commits just after the answer.
        QTRY_COMPARE_WITH_TIMEOUT(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                                  QString("started"), 20000);
        ::kill(static_cast<pid_t>(h.nav().process().pid()), SIGTERM);
        const QList<QByteArray> stopping = receive();
        ::close(fd);
        QVERIFY2(stopping.contains("STOPPING=1"), "navigator sent no STOPPING=1 to NOTIFY_SOCKET");
        QCOMPARE(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                 QString("started"));
        QVERIFY(h.nav().process().waitForExit(60000));
        QCOMPARE(h.nav().process().exitCode(), 0);
        QCOMPARE(scalar(h.db(), "SELECT status FROM jobs WHERE job_id = ?", {id}).toString(),
                 QString("finished"));
    }

    void accessLogModes() {
        for (const QString mode :
             {QString(), QStringLiteral("errors"), QStringLiteral("all"), QStringLiteral("off")}) {
            TestDatabase db;
            QHash<QString, QString> env;
            if (!mode.isEmpty())
                env.insert("ACCESS_LOG", mode);
            NavigatorInstance nav(db, env);
            QVERIFY2(nav.start(), nav.process().output().constData());
            QCOMPARE(http("GET", nav.url("/healthz")).status, 200);
            QCOMPARE(http("GET", nav.url("/no/such/thing")).status, 404);
            nav.terminate();
            const QByteArray out = nav.process().output();
            const bool okLogged = out.contains("GET /healthz 200");
            const bool errorLogged = out.contains("GET /no/such/thing 404") && out.contains("NOT_FOUND");
            const QByteArray context = "ACCESS_LOG=" + mode.toUtf8() + "\n" + out;
            if (mode.isEmpty() || mode == QLatin1String("errors")) { // the default: errors only
                QVERIFY2(!okLogged && errorLogged, context.constData());
            } else if (mode == QLatin1String("all")) {
                QVERIFY2(okLogged && errorLogged, context.constData());
            } else {
                QVERIFY2(!okLogged && !out.contains("/no/such/thing"), context.constData());
            }
        }
    }

    // A whole run at debug level with every access logged, given every kind of secret; then the logs, the
    // operator endpoints and --check-config are searched for each of them.
    void secretsNeverReachTheLogs() {
        const QString forgePassword =
            QStringLiteral("forge-pw-") + QUuid::createUuid().toString(QUuid::Id128);
        QHash<QString, QString> secrets{
            {"SECRET_KEY", QStringLiteral("sk-") + QUuid::createUuid().toString(QUuid::Id128)},
            {"SUPERUSER_ADMIN_TOKEN", QStringLiteral("su-") + QUuid::createUuid().toString(QUuid::Id128)},
            {"BOT_TOKEN", QStringLiteral("bot-") + QUuid::createUuid().toString(QUuid::Id128)},
            {"DISCORD_CLIENT_SECRET", QStringLiteral("dcs-") + QUuid::createUuid().toString(QUuid::Id128)},
            {"CIVITAI_API_KEY", QStringLiteral("cvt-") + QUuid::createUuid().toString(QUuid::Id128)},
            {"METRICS_TOKEN", QStringLiteral("mt-") + QUuid::createUuid().toString(QUuid::Id128)},
        };
        QHash<QString, QString> env = secrets;
        env.insert("ACCESS_LOG", "all");
        env.insert("QT_LOGGING_RULES", "*.debug=true");
        env.insert("CIVITAI_API_BASE", QStringLiteral("http://127.0.0.1:%1/api/v1").arg(freePort()));
        env.insert("DISCORD_CLIENT_ID", "1234");
        PipelineHarness h({"--step-ms", "10"}, env);
        // Forge behind basic auth: SD_API_HOST carries user:password (forge-sim does not check it).
        const QString error = h.start({kAlice}, QStringLiteral("forgeuser:") + forgePassword);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString backend = h.backendName(0);

        // A job with the user's token; a bad token; the superuser token; CivitAI (key in a header);
        // /metrics with the right and a wrong token; readiness.
        const QString id = submitAndWait(h, kAlice);
        QVERIFY(!id.isEmpty());
        const QByteArray jwt = h.token(kAlice).mid(7);
        QCOMPARE(call(h.nav(), "GET", "/api/user/me", "Bearer " + jwt + "x").status, 401);
        QCOMPARE(call(h.nav(), "GET", "/api/admin/status", secrets["SUPERUSER_ADMIN_TOKEN"].toUtf8()).status,
                 200);
        QCOMPARE(call(h.nav(), "GET", "/api/admin/status",
                      "Bearer wrong" + secrets["SUPERUSER_ADMIN_TOKEN"].toUtf8())
                     .status,
                 401);
        call(h.nav(), "GET", "/3papi/test_civitai", "Bearer " + jwt);
        const HttpReply metrics = http("GET", h.nav().url("/metrics"), {},
                                       {{"Authorization", "Bearer " + secrets["METRICS_TOKEN"].toUtf8()}});
        QCOMPARE(metrics.status, 200);
        QCOMPARE(http("GET", h.nav().url("/metrics"), {}, {{"Authorization", "Bearer wrong"}}).status, 401);
        const HttpReply ready = http("GET", h.nav().url("/readyz"));
        QCOMPARE(ready.status, 200);
        const HttpReply job = h.as(kAlice, "GET", "/api/queue/jobs/" + id);
        h.nav().terminate();

        ChildProcess check;
        QProcessEnvironment checkEnv;
        const QHash<QString, QString> navEnv = h.nav().env();
        for (auto it = navEnv.begin(); it != navEnv.end(); ++it)
            checkEnv.insert(it.key(), it.value());
        QVERIFY(check.start(binPath("navigator"), {"--env-file", "/dev/null", "--check-config"}, checkEnv));
        QVERIFY(check.waitForExit(15000));
        QCOMPARE(check.exitCode(), 0);
        QVERIFY2(check.output().contains("SECRET_KEY=(set, hidden)"), check.output().constData());

        QList<QByteArray> needles{jwt, forgePassword.toUtf8()};
        for (const QString &value : std::as_const(secrets))
            needles.append(value.toUtf8());
        // The MariaDB test server's password, unless it is spelled like a name that is fine to log (the
        // private test server uses its user name as password).
        const QHash<QString, QString> dbEnv = h.nav().env();
        const QString dbPassword = dbEnv.value("DB_PASSWORD");
        const QString dbPublic = dbEnv.value("DB_USER") + dbEnv.value("DB_NAME") + dbEnv.value("DB_SOCKET") +
                                 dbEnv.value("DB_HOST");
        if (!dbPassword.isEmpty() && !dbPublic.contains(dbPassword))
            needles.append(dbPassword.toUtf8());
        const QByteArray logs = h.nav().process().output();
        QVERIFY2(logs.contains("navigator.http") && logs.contains(id.toUtf8()), "the run logged too little");
        const QList<QPair<const char *, QByteArray>> haystacks{{"navigator's logs", logs},
                                                               {"--check-config", check.output()},
                                                               {"/metrics", metrics.body},
                                                               {"/readyz", ready.body},
                                                               {"the job", job.body}};
        for (const auto &[where, text] : haystacks)
            for (const QByteArray &needle : needles)
                for (const QByteArray &line : text.split('\n'))
                    QVERIFY2(!line.contains(needle),
                             qPrintable(QStringLiteral("%1 shows the secret %2 in: %3")
                                            .arg(QLatin1String(where), QString::fromUtf8(needle),
                                                 QString::fromUtf8(line))));
        // The backend is still named, without its credentials.
        QVERIFY2(ready.body.contains(backend.toUtf8()), ready.body.constData());
    }
};

QTEST_GUILESS_MAIN(OperationsTest)
#include "tst_operations.moc"
