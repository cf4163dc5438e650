#pragma once
// The operator's endpoints: GET /metrics (Prometheus text format, behind METRICS_TOKEN when it is set),
// GET /healthz (the process answers), GET /readyz (the database and at least one backend answer) and
// GET /api/openapi.json (resources/openapi.json, the description of every route).
#include "server/api/Route.h"
#include "server/queue/JobQueue.h"
#include "server/realtime/RealtimeHub.h"

namespace nav::api {

void getMetrics(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getOpenApi(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getHealth(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);
void getReadiness(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller);

// The whole /metrics document: the recorded counters and histograms plus the gauges read now.
QByteArray renderMetrics(queue::JobQueue &queue, realtime::RealtimeHub &realtime);

} // namespace nav::api
