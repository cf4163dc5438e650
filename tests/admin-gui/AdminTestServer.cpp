#include "tests/admin-gui/AdminTestServer.h"

#include "server/api/AdminQueueRoutes.h"
#include "server/api/Route.h"
#include "tests/support/TestSupport.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QImage>

namespace nav::test {

AdminTestServer::AdminTestServer() : m_port(freePort()), m_forgePort(freePort()), m_rtPort(freePort()) {
    m_config.secretKey = QStringLiteral("window-test-secret");
    m_config.superuserAdminToken = QStringLiteral("window-test-superuser");
    m_fakeForge = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
    m_fakeForge->get("/sdapi/v1/options", [](const http::Request &, http::Responder res) {
        res.json(200, QJsonObject{{"sd_model_checkpoint", "modelA.safetensors"}});
    });
    m_fakeForge->listen(QHostAddress::LocalHost, m_forgePort);
    m_forge = std::make_unique<forge::ForgeClient>(
        QUrl(QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(m_forgePort)),
        QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_forgePort)));
    m_auth = std::make_unique<auth::AuthService>(m_config, [this](const QString &id) {
        return QtFuture::makeReadyFuture(m_roles.contains(id) ? std::optional<int>(m_roles.value(id))
                                                              : std::optional<int>());
    });
}

AdminTestServer::~AdminTestServer() {
    stop();
}

bool AdminTestServer::start() {
    if (QCoreApplication::applicationVersion().isEmpty())
        QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
    realtime::RealtimeSettings rtSettings;
    rtSettings.pingIntervalMs = 1000;
    rtSettings.pingTimeoutMs = 1000;
    m_hub = std::make_unique<realtime::RealtimeHub>(
        rtSettings,
        [this](const QString &token, std::function<void(std::optional<realtime::Identity>)> done) {
            m_auth->verifyToken(token, [done](std::optional<auth::Caller> caller) {
                done(caller ? std::optional<realtime::Identity>({caller->discordId, caller->role})
                            : std::nullopt);
            });
        });
    if (!m_hub->listen(QHostAddress::LocalHost, m_rtPort))
        return false;
    api::AdminStatusService::Sources sources;
    realtime::RealtimeHub *hub = m_hub.get();
    sources.connectedClients = [hub] { return hub->connectedClients(); };
    m_status = std::make_unique<api::AdminStatusService>(m_forge.get(), sources);
    m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
    m_services.auth = m_auth.get();
    m_services.adminStatus = m_status.get();
    m_services.adminQueue = &m_queue;
    api::registerRoutes(*m_server, m_services, api::onlyOperations({"getAdminStatus", "getAdminQueue"}));
    m_server->post("/api/queue/interrupt/:id", [this](const http::Request &req, http::Responder res) {
        m_auth->require(req, res, auth::RoleApprentice, [this, req, res](const auth::Caller &) mutable {
            const QString id = req.param("id");
            QList<api::AdminQueueJob> &active = m_queue.snapshot.active;
            for (int i = 0; i < active.size(); ++i) {
                if (active[i].jobId != id)
                    continue;
                m_interrupted.append(id);
                if (active[i].status == QLatin1String("queued")) {
                    active.removeAt(i);
                    return res.json(
                        200, QJsonObject{{"message", "Job removed from queue"}, {"status", "removed"}});
                }
                api::AdminQueueJob ended = active.takeAt(i);
                ended.status = QStringLiteral("interrupted");
                ended.finishedAt = QDateTime::currentDateTimeUtc();
                m_queue.snapshot.recent.prepend(ended);
                m_hub->emitJobEvent(ended.ownerId, {}, "task-interrupted", QJsonObject{{"job_id", id}});
                return res.json(200, QJsonObject{{"message", "Job interrupted"}, {"status", "interrupted"}});
            }
            res.error(404, "Job not found", "JOB_NOT_FOUND");
        });
    });
    m_server->get("/api/previews/:id", [this](const http::Request &req, http::Responder res) {
        ++m_previewCalls;
        if (!m_previews.contains(req.param("id")))
            return res.error(404, "no preview", "NOT_FOUND");
        res.send(200, m_previews.value(req.param("id")), "image/png");
    });
    m_server->get("/api/images/:id", [this](const http::Request &req, http::Responder res) {
        ++m_imageCalls;
        if (!m_images.contains(req.param("id")))
            return res.error(404, "no image", "NOT_FOUND");
        res.send(200, m_images.value(req.param("id")), "image/png");
    });
    if (!m_server->listen(QHostAddress::LocalHost, m_port)) {
        m_server.reset();
        return false;
    }
    return true;
}

void AdminTestServer::stop() {
    m_server.reset();
    m_hub.reset();
    m_status.reset();
}

QByteArray AdminTestServer::png(const QColor &colour, int size) {
    QImage image(size, size, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QString AdminTestServer::url() const {
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QString AdminTestServer::realtimeUrl() const {
    return QStringLiteral("http://127.0.0.1:%1").arg(m_rtPort);
}

QString AdminTestServer::jwt(const QString &discordId) const {
    return m_auth->sign(discordId, 1, 600'000);
}

} // namespace nav::test
