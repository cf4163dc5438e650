// The admin endpoints over real loopback HTTP, with the real auth guard (an in-memory role table stands in
// for the users table), a small HTTP server standing in for Forge's GET /options, and a hand-filled job
// queue behind GET /api/admin/queue.
#include "server/api/AdminQueueRoutes.h"
#include "server/api/AdminStatusService.h"
#include "server/api/Route.h"
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/forge/ForgeClient.h"
#include "server/http/HttpServer.h"
#include "tests/admin-gui/FakeQueueSource.h"
#include "tests/support/TestSupport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QtTest>

using namespace nav;
using nav::test::HttpReply;

class AdminEndpointsTest : public QObject {
    Q_OBJECT

    config::Config m_config;
    QHash<QString, int> m_roles{{"100", 1}, {"300", 3}, {"400", 4}};
    int m_optionsCalls = 0;
    int m_clients = 7;
    std::unique_ptr<http::HttpServer> m_fakeForge;
    std::unique_ptr<forge::ForgeClient> m_forge;
    std::unique_ptr<auth::AuthService> m_auth;
    std::unique_ptr<api::AdminStatusService> m_status;
    std::unique_ptr<http::HttpServer> m_server;
    test::FakeQueueSource m_queue;
    api::Services m_services;

    // Serves the two admin rows of the route table on m_server; `queue` null: no job queue wired.
    void serve(api::AdminQueueSource *queue, api::OwnerNameLookup names = {}) {
        m_services = {};
        m_services.auth = m_auth.get();
        m_services.adminStatus = m_status.get();
        m_services.adminQueue = queue;
        m_services.ownerNames = std::move(names);
        api::registerRoutes(*m_server, m_services, api::onlyOperations({"getAdminStatus", "getAdminQueue"}));
    }

    HttpReply get(const QString &path, const QByteArray &authorization) {
        QHash<QByteArray, QByteArray> headers;
        if (!authorization.isEmpty())
            headers.insert("Authorization", authorization);
        return test::http("GET",
                          QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(path)), {},
                          headers);
    }
    QByteArray bearer(const QString &id) const { return "Bearer " + m_auth->sign(id, 1, 60'000).toUtf8(); }

    void startForge() {
        m_fakeForge = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        m_fakeForge->get("/sdapi/v1/options", [this](const http::Request &, http::Responder res) {
            ++m_optionsCalls;
            res.json(200,
                     QJsonObject{{"sd_model_checkpoint", "modelA.safetensors"}, {"samples_format", "png"}});
        });
        QVERIFY(m_fakeForge->listen(QHostAddress::LocalHost, m_forgePort));
    }
    quint16 m_forgePort = 0;

private slots:
    void init() {
        QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
        m_config.secretKey = QStringLiteral("admin-secret");
        m_config.superuserAdminToken = QStringLiteral("super-token");
        m_optionsCalls = 0;
        m_queue = test::FakeQueueSource();
        m_forgePort = test::freePort();
        startForge();
        const QUrl sdApi(QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(m_forgePort));
        m_forge = std::make_unique<forge::ForgeClient>(
            sdApi, QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_forgePort)));
        m_auth = std::make_unique<auth::AuthService>(m_config, [this](const QString &id) {
            return QtFuture::makeReadyFuture(m_roles.contains(id) ? std::optional<int>(m_roles.value(id))
                                                                  : std::optional<int>());
        });
        api::AdminStatusService::Sources sources;
        sources.connectedClients = [this] { return m_clients; };
        sources.queuedJobs = [] { return 3; };
        sources.runningJobs = [] { return 1; };
        m_status = std::make_unique<api::AdminStatusService>(m_forge.get(), sources);
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        serve(&m_queue);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    }
    void cleanup() {
        m_server.reset();
        m_status.reset();
        m_auth.reset();
        m_forge.reset();
        m_fakeForge.reset();
    }

    void statusNeedsAnAdmin() {
        QCOMPARE(get("/api/admin/status", {}).status, 401);
        QCOMPARE(get("/api/admin/status", "wrong-token").status, 401);
        const HttpReply apprentice = get("/api/admin/status", bearer("100"));
        QCOMPARE(apprentice.status, 403);
        QCOMPARE(apprentice.json().value("error_code").toString(), QStringLiteral("INSUFFICIENT_ROLE"));
        QCOMPARE(m_optionsCalls, 0); // refused callers never reach Forge
    }

    void statusForSuperuser() {
        const HttpReply reply = get("/api/admin/status", "super-token");
        QCOMPARE(reply.status, 200);
        const QJsonObject body = reply.json();
        QCOMPARE(body.value("version").toString(), QStringLiteral("9.8.7"));
        QVERIFY(body.value("uptime_seconds").isDouble());
        QVERIFY(body.value("uptime_seconds").toDouble() >= 0);
        QCOMPARE(body.value("queue_depth").toInt(), 4);
        QCOMPARE(body.value("queued_jobs").toInt(), 3);
        QCOMPARE(body.value("running_jobs").toInt(), 1);
        QCOMPARE(body.value("connected_clients").toInt(), 7);
        const QJsonArray backends = body.value("backends").toArray();
        QCOMPARE(backends.size(), 1);
        const QJsonObject backend = backends.first().toObject();
        QCOMPARE(backend.value("reachable").toBool(), true);
        QCOMPARE(backend.value("checkpoint").toString(), QStringLiteral("modelA.safetensors"));
        QCOMPARE(backend.value("state").toString(), QStringLiteral("busy"));
        QVERIFY(backend.value("error").isNull());
        const QJsonObject caller = body.value("caller").toObject();
        QCOMPARE(caller.value("superuser").toBool(), true);
        QCOMPARE(caller.value("role").toInt(), 4);
    }

    void statusForArchitectJwt() {
        const HttpReply reply = get("/api/admin/status", bearer("300"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("caller").toObject().value("discord_id").toString(),
                 QStringLiteral("300"));
        QCOMPARE(reply.json().value("caller").toObject().value("role").toInt(), 3);
        QCOMPARE(reply.json().value("caller").toObject().value("superuser").toBool(), false);
    }

    void backendProbeIsCached() {
        for (int i = 0; i < 4; ++i)
            QCOMPARE(get("/api/admin/status", "super-token").status, 200);
        QCOMPARE(m_optionsCalls, 1);
        m_status->setCacheMs(0);
        m_clients = 2;
        const HttpReply reply = get("/api/admin/status", "super-token");
        QCOMPARE(m_optionsCalls, 2);
        QCOMPARE(reply.json().value("connected_clients").toInt(), 2);
    }

    void unreachableBackend() {
        m_fakeForge.reset(); // nothing listens on the Forge port any more
        const HttpReply reply = get("/api/admin/status", "super-token");
        QCOMPARE(reply.status, 200);
        const QJsonObject backend = reply.json().value("backends").toArray().first().toObject();
        QCOMPARE(backend.value("reachable").toBool(), false);
        QVERIFY(backend.value("checkpoint").isNull());
        QVERIFY2(backend.value("error").toString().startsWith("ECONNREFUSED"),
                 qPrintable(backend.value("error").toString()));
        // The backend coming back shows up once the cache expires.
        m_status->setCacheMs(0);
        startForge();
        const QJsonObject again =
            get("/api/admin/status", "super-token").json().value("backends").toArray().first().toObject();
        QCOMPARE(again.value("reachable").toBool(), true);
    }

    void queueNeedsAnAdmin() {
        QCOMPARE(get("/api/admin/queue", {}).status, 401);
        QCOMPARE(get("/api/admin/queue", bearer("100")).status, 403);
        QCOMPARE(m_queue.calls, 0);
    }

    void queueListsEveryJob() {
        api::AdminQueueJob running = test::FakeQueueSource::job("run00001", "running");
        running.progress = 0.45;
        running.etaSeconds = 6.5;
        running.currentStep = 9;
        running.totalSteps = 20;
        running.startedAt = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC);
        running.ownerId = "400";
        api::AdminQueueJob failed = test::FakeQueueSource::job("fail0001", "failed");
        failed.errorCode = "HTTP_500";
        failed.errorMessage = "Forge said no";
        m_queue.snapshot = {{running, test::FakeQueueSource::job("wait0001", "queued", 1)},
                            {failed, test::FakeQueueSource::job("done0001", "finished")}};

        HttpReply reply = get("/api/admin/queue", bearer("300"));
        QCOMPARE(reply.status, 200);
        QJsonObject body = reply.json();
        QCOMPARE(body.value("queue_depth").toInt(), 2);
        QCOMPARE(body.value("running").toInt(), 1);
        QCOMPARE(body.value("recent").toArray().size(), 0); // only on request
        const QJsonArray jobs = body.value("jobs").toArray();
        QCOMPARE(jobs.size(), 2);
        const QJsonObject first = jobs.at(0).toObject();
        QCOMPARE(first.value("job_id").toString(), QStringLiteral("run00001"));
        QCOMPARE(first.value("owner_id").toString(), QStringLiteral("400"));
        QCOMPARE(first.value("status").toString(), QStringLiteral("running"));
        QCOMPARE(first.value("model_name").toString(), QStringLiteral("modelA"));
        QCOMPARE(first.value("prompt").toString(), QStringLiteral("a lighthouse at dusk"));
        QCOMPARE(first.value("width").toInt(), 512);
        QCOMPARE(first.value("height").toInt(), 768);
        QCOMPARE(first.value("steps").toInt(), 20);
        QVERIFY(first.value("position").isNull());
        QCOMPARE(first.value("progress").toDouble(), 0.45);
        QCOMPARE(first.value("eta_relative").toDouble(), 6.5);
        QCOMPARE(first.value("current_step").toInt(), 9);
        QCOMPARE(first.value("total_steps").toInt(), 20);
        QCOMPARE(first.value("started_at").toString(), QStringLiteral("2026-01-02T03:04:05.000Z"));
        QVERIFY(first.value("finished_at").isNull());
        QVERIFY(first.value("error").isNull());
        const QJsonObject second = jobs.at(1).toObject();
        QCOMPARE(second.value("position").toInt(), 1);
        QVERIFY(second.value("eta_relative").isNull());
        QVERIFY(second.value("submitted_at").toString().endsWith("Z"));

        reply = get("/api/admin/queue?include_recent=1", "super-token");
        QCOMPARE(m_queue.lastRecentCount, 1);
        const QJsonArray recent = reply.json().value("recent").toArray();
        QCOMPARE(recent.size(), 1); // capped even if the source sends more
        QCOMPARE(recent.at(0).toObject().value("error").toObject().value("code").toString(),
                 QStringLiteral("HTTP_500"));
        QCOMPARE(recent.at(0).toObject().value("error").toObject().value("message").toString(),
                 QStringLiteral("Forge said no"));
    }

    void queueRejectsBadIncludeRecent() {
        for (const char *value : {"-1", "abc", "201", "1.5"}) {
            const HttpReply reply =
                get(QStringLiteral("/api/admin/queue?include_recent=") + value, "super-token");
            QCOMPARE(reply.status, 400);
            QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_INCLUDE_RECENT"));
        }
        QCOMPARE(get("/api/admin/queue?include_recent=200", "super-token").status, 200);
    }

    void queueErrors() {
        m_queue.error = "database is gone";
        HttpReply reply = get("/api/admin/queue", "super-token");
        QCOMPARE(reply.status, 500);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("QUEUE_SNAPSHOT_FAILED"));
        m_queue.error.clear();

        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        serve(nullptr);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        reply = get("/api/admin/queue", "super-token");
        QCOMPARE(reply.status, 503);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("QUEUE_UNAVAILABLE"));
    }

    // owner_name comes from the lookup the server wires to the Discord profiles; unknown owners get null, and
    // a failed lookup still answers (without names).
    void queueCarriesOwnerNames() {
        m_queue.snapshot.active = {test::FakeQueueSource::job("a", "running"),
                                   test::FakeQueueSource::job("b", "queued", 1)};
        m_queue.snapshot.active[1].ownerId = QStringLiteral("200");
        m_queue.snapshot.recent = {test::FakeQueueSource::job("c", "finished")};
        QStringList asked;
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        serve(&m_queue, [&asked](const QStringList &ids) {
            asked = ids;
            return QtFuture::makeReadyFuture(QHash<QString, QString>{{"100", "Ada Lovelace"}});
        });
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        const QJsonObject body = get("/api/admin/queue?include_recent=5", "super-token").json();
        QCOMPARE(asked, (QStringList{"100", "200"}));
        const QJsonArray jobs = body.value("jobs").toArray();
        QCOMPARE(jobs[0].toObject().value("owner_name").toString(), QStringLiteral("Ada Lovelace"));
        QVERIFY(jobs[1].toObject().value("owner_name").isNull());
        QCOMPARE(jobs[1].toObject().value("owner_id").toString(), QStringLiteral("200"));
        QCOMPARE(body.value("recent").toArray()[0].toObject().value("owner_name").toString(),
                 QStringLiteral("Ada Lovelace"));

        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        serve(&m_queue, [](const QStringList &) {
            return QtFuture::makeExceptionalFuture<QHash<QString, QString>>(
                std::make_exception_ptr(std::runtime_error("db down")));
        });
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        const HttpReply failed = get("/api/admin/queue", "super-token");
        QCOMPARE(failed.status, 200);
        QVERIFY(failed.json().value("jobs").toArray()[0].toObject().value("owner_name").isNull());
    }

    void missingSourcesAreNull() {
        m_status =
            std::make_unique<api::AdminStatusService>(m_forge.get(), api::AdminStatusService::Sources{});
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        serve(&m_queue);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        const QJsonObject body = get("/api/admin/status", "super-token").json();
        QVERIFY(body.value("connected_clients").isNull());
        QVERIFY(body.value("queue_depth").isNull());
        QVERIFY(!body.value("backends").toArray().first().toObject().contains("state"));
    }
};

QTEST_GUILESS_MAIN(AdminEndpointsTest)
#include "tst_adminendpoints.moc"
