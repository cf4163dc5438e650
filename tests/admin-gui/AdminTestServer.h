#pragma once
// An in-process stand-in for the admin side of navigator, for window tests that need a server they can stop
// and start at will on fixed ports: the real HTTP layer, the real auth guard (an in-memory role table in
// place of the users table), the real GET /api/admin/status over a fake Forge /options, and the real
// realtime hub (socket.io) with the auth guard as its token verifier. The job queue is a hand-filled fake.
#include "server/api/AdminStatusService.h"
#include "server/api/Services.h"
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/forge/ForgeClient.h"
#include "server/http/HttpServer.h"
#include "server/realtime/RealtimeHub.h"
#include "tests/admin-gui/FakeQueueSource.h"

#include <QColor>
#include <QHash>
#include <memory>

namespace nav::test {

class AdminTestServer {
public:
    AdminTestServer();
    ~AdminTestServer();

    bool start(); // listens on the same port every time
    void stop();
    bool running() const { return m_server != nullptr; }
    QString url() const;
    QString realtimeUrl() const;
    realtime::RealtimeHub *hub() const { return m_hub.get(); }
    // The jobs GET /api/admin/queue lists. POST /api/queue/interrupt/:id removes a waiting one
    // ({"status":"removed"}) or marks a running one interrupted and emits task-interrupted.
    FakeQueueSource &queue() { return m_queue; }
    QStringList interrupted() const { return m_interrupted; }
    QString superuserToken() const { return m_config.superuserAdminToken; }
    QString jwt(const QString &discordId) const;
    void setRole(const QString &discordId, int role) { m_roles.insert(discordId, role); }
    // GET /api/previews/:id and /api/images/:id serve these PNGs (404 when absent) and count the calls.
    void setPreview(const QString &jobId, const QByteArray &png) { m_previews.insert(jobId, png); }
    void setImage(const QString &jobId, const QByteArray &png) { m_images.insert(jobId, png); }
    int previewCalls() const { return m_previewCalls; }
    int imageCalls() const { return m_imageCalls; }
    // A solid PNG of the given colour.
    static QByteArray png(const QColor &colour, int size = 64);

private:
    config::Config m_config;
    QHash<QString, int> m_roles;
    QHash<QString, QByteArray> m_previews;
    QHash<QString, QByteArray> m_images;
    int m_previewCalls = 0;
    int m_imageCalls = 0;
    FakeQueueSource m_queue;
    QStringList m_interrupted;
    quint16 m_port;
    quint16 m_forgePort;
    quint16 m_rtPort;
    std::unique_ptr<http::HttpServer> m_fakeForge;
    std::unique_ptr<forge::ForgeClient> m_forge;
    std::unique_ptr<auth::AuthService> m_auth;
    std::unique_ptr<api::AdminStatusService> m_status;
    api::Services m_services; // what the admin rows of the route table use; outlives m_server
    std::unique_ptr<http::HttpServer> m_server;
    std::unique_ptr<realtime::RealtimeHub> m_hub;
};

} // namespace nav::test
