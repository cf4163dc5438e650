#pragma once
// Work moved off the event loop (body parsing, base64, image checks, SQL, hashing, downloads) runs at a lower
// CPU priority than the loop itself (WORKER_NICE). On a busy machine the kernel then gives a runnable event
// loop a core first, so a burst of uploads delays the workers, not every other request.
#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
#include <atomic>
#include <sys/resource.h>
#include <unistd.h>

namespace nav::common {

namespace detail {
inline std::atomic<int> workerNice{0}; // absolute nice value for worker threads; 0: leave them alone
}

// Worker threads get the process's nice value plus `offset` (capped at 19); 0 leaves them at the event
// loop's priority. Call once at start-up, before work is handed to a pool.
inline void setWorkerNiceOffset(int offset) {
    const int base = getpriority(PRIO_PROCESS, 0);
    detail::workerNice.store(offset > 0 ? std::min(19, base + offset) : 0);
}

// Lowers the calling thread to the worker priority, once per thread. On Linux setpriority() with a thread id
// changes that thread only. A thread can lower itself but never raise itself back, so it only ever moves
// down.
inline void enterWorkerPriority() {
    thread_local int applied = 0;
    const int nice = detail::workerNice.load(std::memory_order_relaxed);
    if (nice <= applied)
        return;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice) == 0)
        applied = nice;
}

// QtConcurrent::run on `pool` at worker priority.
template <typename Work> auto runInBackground(QThreadPool *pool, Work work) {
    return QtConcurrent::run(pool, [work = std::move(work)]() mutable {
        enterWorkerPriority();
        return work();
    });
}

// QtConcurrent::run on the global pool at worker priority.
template <typename Work> auto runInBackground(Work work) {
    return runInBackground(QThreadPool::globalInstance(), std::move(work));
}

} // namespace nav::common
