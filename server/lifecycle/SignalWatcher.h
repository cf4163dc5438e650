#pragma once
// SIGTERM and SIGINT delivered to the event loop. The handler itself only writes the signal number to a pipe
// (async-signal-safe); a QSocketNotifier on the other end emits `signalled` on the main thread, where the
// real work happens. One watcher per process.
#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace nav::lifecycle {

class SignalWatcher final : public QObject {
    Q_OBJECT
public:
    // Installs the handlers for SIGTERM and SIGINT. False (and `error`) if the pipe cannot be made.
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;
    bool ok() const { return m_notifier != nullptr; }

signals:
    void signalled(int signalNumber);

private:
    void drain();
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace nav::lifecycle
