#pragma once
// Every counter and histogram Navigator exports on GET /metrics, in one place. Components record events here
// (a job finished, a request was answered); values that are read at scrape time (queue length, backends up,
// realtime clients, RSS) are gauges computed by api/OpsRoutes.cpp. docs/OPERATIONS.md lists them all.
#include "server/ops/Metrics.h"

namespace nav::ops {

struct ServiceMetrics {
    // Jobs.
    CounterFamily jobsSubmitted{QStringLiteral("navigator_jobs_submitted_total"),
                                QStringLiteral("Jobs accepted into the queue.")};
    CounterFamily jobsFinished{QStringLiteral("navigator_jobs_finished_total"),
                               QStringLiteral("Jobs that ended with an image (interrupted ones included)."),
                               {QStringLiteral("status")}};
    CounterFamily jobsFailed{QStringLiteral("navigator_jobs_failed_total"),
                             QStringLiteral("Jobs that failed, by error code."),
                             {QStringLiteral("reason")}};
    HistogramFamily jobWait{QStringLiteral("navigator_job_wait_seconds"),
                            QStringLiteral("Time from submission to the start on a backend."),
                            {0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}};
    HistogramFamily jobRun{QStringLiteral("navigator_job_run_seconds"),
                           QStringLiteral("Time from the start on a backend to the end of the generation."),
                           {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800}};

    // Backends, by backend name (never with credentials).
    CounterFamily checkpointSwaps{QStringLiteral("navigator_backend_checkpoint_swaps_total"),
                                  QStringLiteral("Jobs that made a backend load another checkpoint."),
                                  {QStringLiteral("backend")}};
    CounterFamily generations{QStringLiteral("navigator_backend_generations_total"),
                              QStringLiteral("Generations a backend completed, by outcome."),
                              {QStringLiteral("backend"), QStringLiteral("outcome")}};

    // HTTP API, by route template (e.g. /api/images/:id) and status class (2xx ... 5xx).
    CounterFamily httpRequests{QStringLiteral("navigator_http_requests_total"),
                               QStringLiteral("HTTP API requests answered."),
                               {QStringLiteral("method"), QStringLiteral("route"), QStringLiteral("code")}};
    HistogramFamily httpDuration{QStringLiteral("navigator_http_request_duration_seconds"),
                                 QStringLiteral("Time from the request to its answer."),
                                 {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
                                 {QStringLiteral("route")}};

    // Database statements and connections that failed.
    CounterFamily databaseErrors{QStringLiteral("navigator_database_errors_total"),
                                 QStringLiteral("Database statements or connections that failed.")};

    void render(QByteArray &out) const;
};

// The process-wide instance.
ServiceMetrics &metrics();

// "2xx", "4xx", ... for a status code.
QString statusClass(int status);

} // namespace nav::ops
