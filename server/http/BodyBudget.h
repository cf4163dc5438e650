#pragma once
// The bytes of request bodies that may be buffered at once across all connections of the process (both
// ports), HTTP_BODY_BUDGET. A request reserves its Content-Length when its head arrives and gives it back
// when it has been answered (or its connection closes); a request that does not fit is answered 503 with
// Retry-After instead of being buffered. Single-threaded: used from the event loop only.
#include <QtGlobal>

namespace nav::http {

class BodyBudget {
public:
    explicit BodyBudget(qint64 limitBytes) : m_limit(limitBytes) {}

    bool tryReserve(qint64 bytes) {
        if (bytes > 0 && m_used + bytes > m_limit)
            return false;
        m_used += bytes;
        return true;
    }
    void release(qint64 bytes) { m_used = qMax<qint64>(0, m_used - bytes); }
    qint64 used() const { return m_used; }
    qint64 limit() const { return m_limit; }

private:
    qint64 m_limit;
    qint64 m_used = 0;
};

} // namespace nav::http
