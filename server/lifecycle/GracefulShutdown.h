#pragma once
// The graceful shutdown on SIGTERM/SIGINT (systemd stop, deploys, Ctrl-C):
//  1. new generation requests get 503 SHUTTING_DOWN, no queued job is started any more;
//  2. the running job gets SHUTDOWN_GRACE to finish (its image is stored); after that it is interrupted and
//     re-queued without costing an attempt;
//  3. the pending job-state writes are flushed, every realtime client gets an Engine.IO close (so it
//     reconnects to the next instance by itself), and the event loop ends with exit code 0.
// A second signal ends the process at once (exit 128 + signal); jobs are then recovered at the next start as
// after a crash.
#include "server/lifecycle/SignalWatcher.h"

#include <QObject>

namespace nav::queue {
class JobQueue;
}
namespace nav::realtime {
class RealtimeHub;
}

namespace nav::lifecycle {

class GracefulShutdown final : public QObject {
    Q_OBJECT
public:
    GracefulShutdown(queue::JobQueue &queue, realtime::RealtimeHub &realtime, qint64 graceMs,
                     QObject *parent = nullptr);

    // Starts the sequence (what the first signal does); `exitCode` is what the event loop returns.
    void begin(int exitCode = 0);

signals:
    // The sequence has begun (systemd hears STOPPING=1 from here, while the running job may still finish).
    void started();

private:
    void onSignal(int number);

    queue::JobQueue &m_queue;
    realtime::RealtimeHub &m_realtime;
    qint64 m_graceMs;
    SignalWatcher m_signals;
    bool m_started = false;
};

} // namespace nav::lifecycle
