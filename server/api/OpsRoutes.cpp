#include "server/api/OpsRoutes.h"

#include "server/api/ReadinessCheck.h"
#include "server/auth/ConstantTime.h"
#include "server/common/WorkerPriority.h"
#include "server/config/Config.h"
#include "server/ops/ProcessStats.h"
#include "server/ops/ServiceMetrics.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>

namespace nav::api {

namespace {

// The gauges that must be read on the event loop (they look at the queue, the workers and the hub).
struct LiveGauges {
    int queued = 0;
    int running = 0;
    QList<ops::GaugeSample> backendUp, backendBusy, realtimeClients;
};

LiveGauges readLiveGauges(queue::JobQueue &queue, realtime::RealtimeHub &realtime) {
    LiveGauges gauges;
    gauges.queued = static_cast<int>(queue.queued().size());
    gauges.running = static_cast<int>(queue.running().size());
    for (const queue::BackendWorker *worker : queue.backends()) {
        gauges.backendUp.append({{worker->name()}, worker->up() ? 1.0 : 0.0});
        gauges.backendBusy.append({{worker->name()}, worker->busy() ? 1.0 : 0.0});
    }
    const QHash<QString, int> byTransport = realtime.clientsByTransport();
    // Both transports always appear, so a dashboard shows 0 rather than no data.
    for (const QString &transport : {QStringLiteral("polling"), QStringLiteral("websocket")})
        gauges.realtimeClients.append({{transport}, static_cast<double>(byTransport.value(transport))});
    return gauges;
}

QByteArray render(const LiveGauges &live) {
    QByteArray out;
    out.reserve(64 * 1024);
    ops::metrics().render(out);
    const QStringList backend{QStringLiteral("backend")};
    ops::renderGauge(out, QStringLiteral("navigator_queue_length"),
                     QStringLiteral("Jobs waiting in the queue."), {},
                     {{{}, static_cast<double>(live.queued)}});
    ops::renderGauge(out, QStringLiteral("navigator_jobs_running"),
                     QStringLiteral("Jobs running on a backend."), {},
                     {{{}, static_cast<double>(live.running)}});
    ops::renderGauge(out, QStringLiteral("navigator_backend_up"),
                     QStringLiteral("1 when the backend answered its last call."), backend, live.backendUp);
    ops::renderGauge(out, QStringLiteral("navigator_backend_busy"),
                     QStringLiteral("1 while the backend runs a job."), backend, live.backendBusy);
    ops::renderGauge(out, QStringLiteral("navigator_realtime_clients"),
                     QStringLiteral("Connected socket.io clients by transport."),
                     {QStringLiteral("transport")}, live.realtimeClients);
    ops::renderGauge(out, QStringLiteral("navigator_build_info"), QStringLiteral("Always 1; the version."),
                     {QStringLiteral("version")}, {{{QCoreApplication::applicationVersion()}, 1.0}});
    const ops::ProcessStats stats = ops::readProcessStats();
    if (stats.residentBytes >= 0)
        ops::renderGauge(out, QStringLiteral("process_resident_memory_bytes"),
                         QStringLiteral("Resident memory size in bytes."), {},
                         {{{}, static_cast<double>(stats.residentBytes)}});
    if (stats.openFds >= 0)
        ops::renderGauge(out, QStringLiteral("process_open_fds"), QStringLiteral("Open file descriptors."),
                         {}, {{{}, static_cast<double>(stats.openFds)}});
    if (stats.maxFds >= 0)
        ops::renderGauge(out, QStringLiteral("process_max_fds"),
                         QStringLiteral("The limit of open file descriptors."), {},
                         {{{}, static_cast<double>(stats.maxFds)}});
    ops::renderGauge(out, QStringLiteral("process_start_time_seconds"),
                     QStringLiteral("Start time of the process since the Unix epoch in seconds."), {},
                     {{{}, stats.startTimeSeconds}});
    return out;
}

constexpr auto kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// resources/openapi.json (compiled in), with this build's version.
QByteArray openApiDocument() {
    QFile file(QStringLiteral(":/openapi.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonObject document = QJsonDocument::fromJson(file.readAll()).object();
    QJsonObject info = document.value("info").toObject();
    info.insert("version", QCoreApplication::applicationVersion());
    document.insert("info", info);
    return QJsonDocument(document).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray renderMetrics(queue::JobQueue &queue, realtime::RealtimeHub &realtime) {
    return render(readLiveGauges(queue, realtime));
}

void getMetrics(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QByteArray token = s.config->metricsToken.toUtf8();
    if (!token.isEmpty()) {
        const QByteArray header = req.header("authorization");
        const bool bearer = header.startsWith("Bearer ");
        if (!bearer || !auth::constantTimeEquals(header.mid(7).trimmed(), token)) {
            res.send(
                401,
                R"({"error":"GET /metrics needs METRICS_TOKEN as a bearer token","error_code":"UNAUTHORIZED"})",
                "application/json; charset=utf-8", {{"WWW-Authenticate", "Bearer"}});
            return;
        }
    }
    // The queue and the hub are read here; /proc and the formatting happen off the event loop.
    const LiveGauges live = readLiveGauges(*s.queue, *s.realtime);
    common::runInBackground([live] {
        return render(live);
    }).then(qApp, [res](const QByteArray &body) mutable { res.send(200, body, kMetricsContentType); });
}

void getOpenApi(Services &, const http::Request &, http::Responder res, const auth::Caller &) {
    // Read once from the resource (memory, not disk), on the first request.
    static const QByteArray spec = openApiDocument();
    res.send(200, spec, "application/json; charset=utf-8");
}

void getHealth(Services &, const http::Request &, http::Responder res, const auth::Caller &) {
    res.json(200, QJsonObject{{"status", "ok"}});
}

void getReadiness(Services &s, const http::Request &, http::Responder res, const auth::Caller &) {
    s.readiness->check(
        [res](bool ready, const QJsonObject &body) mutable { res.json(ready ? 200 : 503, body); });
}

} // namespace nav::api
