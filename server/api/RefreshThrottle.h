#pragma once
// Lets an expensive action through at most once per interval (GET /api/models?refresh=true and
// MODEL_REFRESH_INTERVAL). Lives on the main thread, like the handlers that ask it.
#include <QElapsedTimer>

namespace nav::api {

class RefreshThrottle final {
public:
    explicit RefreshThrottle(qint64 intervalMs) : m_intervalMs(intervalMs) {}

    // True, and the interval starts again, when the last allowed action is at least the interval ago.
    bool allow() {
        if (m_last.isValid() && m_last.elapsed() < m_intervalMs)
            return false;
        m_last.start();
        return true;
    }

private:
    qint64 m_intervalMs;
    QElapsedTimer m_last;
};

} // namespace nav::api
