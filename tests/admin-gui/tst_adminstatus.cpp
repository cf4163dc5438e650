// The admin endpoints over real loopback HTTP, with the real auth guard (an in-memory role table stands in
// for the users table) and a small HTTP server standing in for Forge's GET /options.
#include "server/api/AdminQueueRoutes.h"
#include "server/api/AdminStatusService.h"
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/forge/ForgeClient.h"
#include "server/http/HttpServer.h"
#include "tests/support/TestSupport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QtTest>

using namespace nav;
using nav::test::HttpReply;

class AdminStatusTest : public QObject {
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
        api::registerAdminQueueRoutes(*m_server, *m_auth, *m_status);
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

    void missingSourcesAreNull() {
        m_status =
            std::make_unique<api::AdminStatusService>(m_forge.get(), api::AdminStatusService::Sources{});
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        api::registerAdminQueueRoutes(*m_server, *m_auth, *m_status);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        const QJsonObject body = get("/api/admin/status", "super-token").json();
        QVERIFY(body.value("connected_clients").isNull());
        QVERIFY(body.value("queue_depth").isNull());
        QVERIFY(!body.value("backends").toArray().first().toObject().contains("state"));
    }
};

QTEST_GUILESS_MAIN(AdminStatusTest)
#include "tst_adminstatus.moc"
