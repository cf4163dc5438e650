#pragma once
// The HTTP API server: our own router over RawHttpListener/RawHttpConnection (raw descriptors, as on the
// realtime port), so that every answer (routes, 404, 405, OPTIONS preflight) goes through Responder and
// carries CORS headers. HEAD is served by the GET route without a body.
#include "server/http/ConnectionLimits.h"
#include "server/http/RawHttpConnection.h"
#include "server/http/Request.h"
#include "server/http/Responder.h"
#include "server/http/RoutePattern.h"

#include <QHostAddress>
#include <QObject>

#include <functional>
#include <vector>

namespace nav::http {

class RawHttpListener;

using Handler = std::function<void(const Request &, Responder)>;

class HttpServer final : public QObject, private RawHttpConnection::RequestHandler {
    Q_OBJECT
public:
    explicit HttpServer(const ConnectionLimits &limits, QObject *parent = nullptr);
    ~HttpServer() override;

    // Listens on address:port; port 0 picks a free one. Returns false (with errorString) on failure.
    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    QString errorString() const { return m_error; }
    // ACCESS_LOG; errors only by default (a reverse proxy in front already logs every request).
    void setAccessLog(AccessLog mode) { m_accessLog = mode; }

    void route(const QByteArray &method, const QString &pattern, Handler handler);
    void get(const QString &pattern, Handler handler) { route("GET", pattern, std::move(handler)); }
    void post(const QString &pattern, Handler handler) { route("POST", pattern, std::move(handler)); }
    void put(const QString &pattern, Handler handler) { route("PUT", pattern, std::move(handler)); }
    void patch(const QString &pattern, Handler handler) { route("PATCH", pattern, std::move(handler)); }
    void del(const QString &pattern, Handler handler) { route("DELETE", pattern, std::move(handler)); }

private:
    struct Route {
        QByteArray method;
        RoutePattern pattern;
        Handler handler;
    };
    void handleRequest(const HttpRequest &request, const QHostAddress &peer, PendingAnswer answer) override;
    // `state` is the responder's own, to record the matched route template for metrics.
    void dispatch(Request request, Responder responder, Responder::State &state);

    ConnectionLimits m_limits;
    AccessLog m_accessLog = AccessLog::Errors;
    std::vector<Route> m_routes;
    RawHttpListener *m_listener = nullptr;
    QString m_error;
};

} // namespace nav::http
