#include "server/http/HttpServer.h"

#include "server/http/RawHttpListener.h"
#include "server/http/ResponderState_p.h"

#include <QJsonObject>
#include <QStringList>

namespace nav::http {

HttpServer::HttpServer(const ConnectionLimits &limits, QObject *parent) : QObject(parent), m_limits(limits) {}

// The listener (and with it every open connection) goes first: a connection must not outlive the routes.
HttpServer::~HttpServer() {
    delete std::exchange(m_listener, nullptr);
}

bool HttpServer::listen(const QHostAddress &address, quint16 port) {
    auto *listener = new RawHttpListener(m_limits, this, this);
    if (!listener->listen(address, port)) {
        m_error = listener->errorString();
        delete listener;
        return false;
    }
    m_listener = listener;
    return true;
}

quint16 HttpServer::port() const {
    return m_listener ? m_listener->serverPort() : 0;
}

void HttpServer::route(const QByteArray &method, const QString &pattern, Handler handler) {
    m_routes.push_back(Route{method, RoutePattern(pattern), std::move(handler)});
}

void HttpServer::handleRequest(const HttpRequest &request, const QHostAddress &peer, PendingAnswer answer) {
    Request copy = Request::fromHttp(request, peer);
    auto state = std::make_shared<Responder::State>(std::move(answer), copy.method, copy.path);
    state->accessLog = m_accessLog;
    Responder::State &stateRef = *state;
    dispatch(std::move(copy), Responder(std::move(state)), stateRef);
}

void HttpServer::dispatch(Request request, Responder responder, Responder::State &state) {
    if (request.method == "OPTIONS") { // CORS preflight, on any path
        state.route = QStringLiteral("(preflight)");
        responder.noContent();
        return;
    }
    const QByteArray lookup = request.method == "HEAD" ? QByteArray("GET") : request.method;
    QStringList allowed;
    const QStringList segments = RoutePattern::segments(request.encodedPath);
    for (const Route &route : m_routes) {
        auto params = route.pattern.match(segments);
        if (!params)
            continue;
        if (route.method != lookup) {
            allowed << QString::fromLatin1(route.method);
            continue;
        }
        request.params = std::move(*params);
        state.route = route.pattern.text();
        route.handler(request, responder);
        return;
    }
    if (!allowed.isEmpty()) {
        responder.json(
            405, QJsonObject{{"error", QStringLiteral("Method %1 is not allowed here; use %2")
                                           .arg(QString::fromLatin1(request.method), allowed.join(", "))},
                             {"error_code", "METHOD_NOT_ALLOWED"}});
        return;
    }
    responder.error(404, QStringLiteral("Not found: %1").arg(request.path), QStringLiteral("NOT_FOUND"));
}

} // namespace nav::http
