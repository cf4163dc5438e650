// Scheduler::pick() against the order()-based choice it replaced (tests/pipeline/ReferenceScheduler.h), in
// the same run: the time of one pick on queues of 300, 1000 and 3000 jobs from 1, 10 and 100 owners, and of
// draining a whole queue one dispatch at a time, as JobQueue::schedule() does in a burst. Then
// Scheduler::position() of the newest job (every submission asks for it) against finding it in order().
//   build/bin/scheduler_bench [repetitions, default 200]
#include "server/queue/Scheduler.h"
#include "tests/pipeline/ReferenceScheduler.h"

#include <QElapsedTimer>
#include <QList>

#include <climits>
#include <cstdio>

using nav::queue::Scheduler;
using nav::store::Job;
using nav::test::ReferenceScheduler;

namespace {

QList<Job> makeQueue(int jobs, int owners) {
    QList<Job> queued;
    queued.reserve(jobs);
    for (int i = 0; i < jobs; ++i) {
        Job job;
        job.id = QStringLiteral("job-%1").arg(i);
        job.ownerId = QStringLiteral("1000000000000000%1").arg(i % owners, 2, 10, QLatin1Char('0'));
        job.modelName = QStringLiteral("sd_xl_base_1.0");
        queued.append(job);
    }
    return queued;
}

// Microseconds per pick on an unchanged queue.
template <typename S> double perPick(S &scheduler, const QList<Job> &queued, int repetitions) {
    const Scheduler::CanRun canRun = [](const Job &) { return true; };
    QElapsedTimer timer;
    timer.start();
    int sink = 0;
    for (int i = 0; i < repetitions; ++i)
        sink += scheduler.pick(queued, QStringLiteral("sd_xl_base_1.0"), canRun);
    const double us = timer.nsecsElapsed() / 1e3 / repetitions;
    return sink < 0 ? -us : us;
}

// Milliseconds to dispatch every job of the queue, one pick at a time.
template <typename S> double drain(S &scheduler, QList<Job> queued) {
    const Scheduler::CanRun canRun = [](const Job &) { return true; };
    QElapsedTimer timer;
    timer.start();
    while (!queued.isEmpty()) {
        const int index = scheduler.pick(queued, QStringLiteral("sd_xl_base_1.0"), canRun);
        const Job job = queued.takeAt(index);
        scheduler.served(job.ownerId);
        scheduler.forget(job.id);
    }
    return timer.nsecsElapsed() / 1e6;
}

// Microseconds per call of `f`, which returns an int (kept, so the calls are not optimised away).
template <typename F> double perCall(int repetitions, F f) {
    QElapsedTimer timer;
    timer.start();
    int sink = 0;
    for (int i = 0; i < repetitions; ++i)
        sink += f();
    const double us = timer.nsecsElapsed() / 1e3 / repetitions;
    return sink == INT_MIN ? -us : us;
}

} // namespace

int main(int argc, char *argv[]) {
    const int repetitions = argc > 1 ? QByteArray(argv[1]).toInt() : 200;
    std::printf("Scheduler::pick, one pass, vs the order()-based reference (%d picks each)\n", repetitions);
    std::printf("%6s %7s | %12s %12s %7s | %12s %12s %7s\n", "jobs", "owners", "pick us", "reference",
                "ratio", "drain ms", "reference", "ratio");
    for (int jobs : {300, 1000, 3000})
        for (int owners : {1, 10, 100}) {
            const QList<Job> queued = makeQueue(jobs, owners);
            Scheduler scheduler;
            ReferenceScheduler reference(4);
            const double pick = perPick(scheduler, queued, repetitions);
            const double pickRef = perPick(reference, queued, repetitions);
            Scheduler drainer;
            ReferenceScheduler drainerRef(4);
            const double drained = drain(drainer, queued);
            const double drainedRef = drain(drainerRef, queued);
            std::printf("%6d %7d | %12.1f %12.1f %6.2fx | %12.1f %12.1f %6.2fx\n", jobs, owners, pick,
                        pickRef, pick / pickRef, drained, drainedRef, drained / drainedRef);
        }
    std::printf("\nScheduler::position of the newest job vs its index in order() (%d calls each)\n",
                repetitions);
    std::printf("%6s %7s | %12s %12s %7s\n", "jobs", "owners", "position us", "order() us", "ratio");
    for (int jobs : {300, 1000, 3000})
        for (int owners : {1, 10, 100}) {
            const QList<Job> queued = makeQueue(jobs, owners);
            const Scheduler scheduler;
            const double position =
                perCall(repetitions, [&] { return scheduler.position(queued, jobs - 1); });
            const double viaOrder =
                perCall(repetitions, [&] { return int(scheduler.order(queued).indexOf(jobs - 1)); });
            std::printf("%6d %7d | %12.1f %12.1f %6.2fx\n", jobs, owners, position, viaOrder,
                        position / viaOrder);
        }
    return 0;
}
