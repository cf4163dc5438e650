#include "server/http/HttpServer.h"

#include "server/http/GuardedTcpServer.h"
#include "server/http/ResponderState_p.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QStringList>

namespace nav::http {

HttpServer::HttpServer(const ConnectionLimits &limits, QObject *parent)
    : QAbstractHttpServer(parent), m_limits(limits) {}

bool HttpServer::listen(const QHostAddress &address, quint16 port) {
    auto *tcp = new GuardedTcpServer(m_limits, this);
    if (!tcp->listen(address, port)) {
        m_error = tcp->errorString();
        delete tcp;
        return false;
    }
    m_tcp = tcp;
    bind(tcp);
    return true;
}

quint16 HttpServer::port() const {
    return m_tcp ? m_tcp->serverPort() : 0;
}

void HttpServer::route(const QByteArray &method, const QString &pattern, Handler handler) {
    m_routes.push_back(Route{method, RoutePattern(pattern), std::move(handler)});
}

bool HttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) {
    Request copy = Request::fromQt(request);
    auto state = std::make_shared<Responder::State>(makeResponder(request, socket), copy.method, copy.path);
    state->accessLog = m_accessLog;
    Responder::State &stateRef = *state;
    dispatch(std::move(copy), Responder(std::move(state)), stateRef);
    return true;
}

void HttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) {
    // Not reached: handleRequest answers every request. Kept because QAbstractHttpServer requires it.
    handleRequest(request, socket);
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
