// rt-testserver: RealtimeHub on a port with a fake token check, plus a small HTTP control surface, for the
// Node integration tests (tests/compat) and the benchmark (tests/bench).
//
// Usage: rt-testserver --port P --control-port C [--ping-interval MS] [--ping-timeout MS] [--max-sessions N]
//                      [--max-payload BYTES] [--connect-timeout MS] [--trust-proxy]
// Tokens: "<name>:<discordId>:<role>" (e.g. "user:123:1", "admin:9:3") are accepted after a short delay, as
// a database lookup would be; any other token is refused.
// Control: POST /emit {"to":"all|job", "id", "ip", "event", "payload"} and GET /clients. "job" is
// RealtimeHub::emitJobEvent(id, ip): admins, plus user `id` and the anonymous sockets of `ip` when given.
// Prints "READY <port> <control-port>" once both listen.
#include "server/http/HttpServer.h"
#include "server/realtime/RealtimeHub.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

using nav::realtime::Identity;

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption port("port", "socket.io port", "port", "0");
    const QCommandLineOption control("control-port", "control HTTP port", "port", "0");
    const QCommandLineOption pingInterval("ping-interval", "ms", "ms", "25000");
    const QCommandLineOption pingTimeout("ping-timeout", "ms", "ms", "20000");
    const QCommandLineOption maxSessions("max-sessions", "count", "count", "10000");
    const QCommandLineOption maxPayload("max-payload", "bytes", "bytes", "1000000");
    const QCommandLineOption connectTimeout("connect-timeout", "ms", "ms", "45000");
    const QCommandLineOption trustProxy("trust-proxy", "TRUST_PROXY value (hops or addresses)", "spec",
                                        "false");
    const QCommandLineOption trustCf("trust-cf-connecting-ip", "TRUST_CF_CONNECTING_IP=true");
    parser.addOptions({port, control, pingInterval, pingTimeout, maxSessions, maxPayload, connectTimeout,
                       trustProxy, trustCf});
    parser.process(app);

    nav::realtime::RealtimeSettings settings;
    settings.pingIntervalMs = parser.value(pingInterval).toInt();
    settings.pingTimeoutMs = parser.value(pingTimeout).toInt();
    settings.maxSessions = parser.value(maxSessions).toInt();
    settings.maxPayload = parser.value(maxPayload).toLongLong();
    settings.connectTimeoutMs = parser.value(connectTimeout).toInt();
    QString trustError;
    const auto trust = nav::config::TrustProxy::parse(parser.value(trustProxy), &trustError);
    if (!trust) {
        std::fprintf(stderr, "--trust-proxy: %s\n", qPrintable(trustError));
        return 2;
    }
    settings.trustProxy = *trust;
    settings.trustProxy.readCfConnectingIp = parser.isSet(trustCf);
    // The suites and bench_realtime connect thousands of clients from 127.0.0.1.
    settings.connection.maxConnectionsPerAddress = 0;
    settings.connection.maxConnections = 100'000;
    auto verifier = [](const QString &token, std::function<void(std::optional<Identity>)> done) {
        const QStringList parts = token.split(':');
        bool roleOk = false;
        const int role = parts.size() == 3 ? parts[2].toInt(&roleOk) : 0;
        std::optional<Identity> identity;
        if (roleOk && !parts[1].isEmpty())
            identity = Identity{parts[1], role};
        QTimer::singleShot(5, [done, identity] { done(identity); });
    };
    nav::realtime::RealtimeHub hub(settings, verifier);
    if (!hub.listen(QHostAddress::LocalHost, parser.value(port).toUShort())) {
        std::fprintf(stderr, "rt-testserver: %s\n", qPrintable(hub.errorString()));
        return 4;
    }

    nav::http::HttpServer http({1 << 20, 60'000});
    http.get("/clients", [&hub](const nav::http::Request &, nav::http::Responder r) {
        r.json(200, QJsonObject{{"clients", hub.connectedClients()}});
    });
    http.post("/emit", [&hub](const nav::http::Request &request, nav::http::Responder r) {
        const QJsonObject body = request.jsonBody().value_or(QJsonObject{});
        const QString to = body.value("to").toString();
        const QString event = body.value("event").toString();
        const QJsonObject payload = body.value("payload").toObject();
        if (to == "all")
            hub.emitToAll(event, payload);
        else if (to == "job")
            hub.emitJobEvent(body.value("id").toString(), body.value("ip").toString(), event, payload);
        else
            return r.error(400, "unknown target", "BAD_TARGET");
        r.json(200, QJsonObject{{"ok", true}});
    });
    if (!http.listen(QHostAddress::LocalHost, parser.value(control).toUShort())) {
        std::fprintf(stderr, "rt-testserver: control: %s\n", qPrintable(http.errorString()));
        return 4;
    }
    std::printf("READY %u %u\n", hub.port(), http.port());
    std::fflush(stdout);
    return app.exec();
}
