#include "server/lifecycle/GracefulShutdown.h"

#include "server/lifecycle/LifecycleLogging_p.h"
#include "server/queue/JobQueue.h"
#include "server/realtime/RealtimeHub.h"

#include <QCoreApplication>
#include <QTimer>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace nav::lifecycle {

namespace {
// Time for the Engine.IO close packets and frames to leave before the sockets are torn down.
constexpr int kCloseFlushMs = 200;
} // namespace

GracefulShutdown::GracefulShutdown(queue::JobQueue &queue, realtime::RealtimeHub &realtime, qint64 graceMs,
                                   QObject *parent)
    : QObject(parent), m_queue(queue), m_realtime(realtime), m_graceMs(graceMs) {
    connect(&m_signals, &SignalWatcher::signalled, this, &GracefulShutdown::onSignal);
}

void GracefulShutdown::onSignal(int number) {
    if (m_started) {
        qCWarning(lcLifecycle).noquote() << "second" << strsignal(number)
                                         << "signal: exiting at once; running and queued jobs resume at the "
                                            "next start";
        std::_Exit(128 + number);
    }
    qCInfo(lcLifecycle).noquote() << strsignal(number)
                                  << "received: shutting down gracefully (send it again to exit at once)";
    begin(0);
}

void GracefulShutdown::begin(int exitCode) {
    if (m_started)
        return;
    m_started = true;
    emit started();
    m_queue.shutdown(m_graceMs, [this, exitCode] {
        qCInfo(lcLifecycle) << "job states written; closing" << m_realtime.connectedClients()
                            << "realtime client(s)";
        m_realtime.closeAll();
        QTimer::singleShot(kCloseFlushMs, qApp, [exitCode] { QCoreApplication::exit(exitCode); });
    });
}

} // namespace nav::lifecycle
