#pragma once
// The operator's endpoints: GET /metrics (Prometheus text format, behind METRICS_TOKEN when it is set),
// GET /healthz (the process answers), GET /readyz (the database and at least one backend answer) and
// GET /api/openapi.json (resources/openapi.json, the description of every route).
#include "server/api/ReadinessCheck.h"
#include "server/config/Config.h"
#include "server/http/HttpServer.h"
#include "server/queue/JobQueue.h"
#include "server/realtime/RealtimeHub.h"

namespace nav::api {

struct OpsDeps {
    const config::Config &config;
    queue::JobQueue &queue;
    realtime::RealtimeHub &realtime;
    ReadinessCheck &readiness;
};

void registerOpsRoutes(http::HttpServer &server, OpsDeps deps);

// The whole /metrics document: the recorded counters and histograms plus the gauges read now.
QByteArray renderMetrics(queue::JobQueue &queue, realtime::RealtimeHub &realtime);

} // namespace nav::api
