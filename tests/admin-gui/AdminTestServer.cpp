#include "tests/admin-gui/AdminTestServer.h"

#include "server/api/AdminQueueRoutes.h"
#include "tests/support/TestSupport.h"

#include <QCoreApplication>

namespace nav::test {

AdminTestServer::AdminTestServer() : m_port(freePort()), m_forgePort(freePort()) {
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
    api::AdminStatusService::Sources sources;
    sources.connectedClients = [] { return 1; };
    m_status = std::make_unique<api::AdminStatusService>(m_forge.get(), sources);
    m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
    api::registerAdminQueueRoutes(*m_server, *m_auth, *m_status);
    if (!m_server->listen(QHostAddress::LocalHost, m_port)) {
        m_server.reset();
        return false;
    }
    return true;
}

void AdminTestServer::stop() {
    m_server.reset();
    m_status.reset();
}

QString AdminTestServer::url() const {
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QString AdminTestServer::jwt(const QString &discordId) const {
    return m_auth->sign(discordId, 1, 600'000);
}

} // namespace nav::test
