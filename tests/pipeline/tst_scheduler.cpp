// The scheduler's choice for a free backend: round-robin between owners, FIFO within an owner, the loaded
// checkpoint preferred but no job passed over more than maxSkips times, promoted jobs first, and only jobs
// the backend can run.
#include "server/queue/Scheduler.h"
#include "tests/pipeline/ReferenceScheduler.h"

#include <QRandomGenerator>
#include <QtTest>

using nav::queue::Scheduler;
using nav::store::Job;
using nav::test::ReferenceScheduler;

namespace {
Job job(const QString &id, const QString &owner, const QString &model = QStringLiteral("m1")) {
    Job j;
    j.id = id;
    j.ownerId = owner;
    j.modelName = model;
    return j;
}
QStringList order(Scheduler &scheduler, QList<Job> queued, const QString &loaded = {}) {
    QStringList ids;
    while (!queued.isEmpty()) {
        const int index = scheduler.pick(queued, loaded);
        if (index < 0 || index >= queued.size())
            return ids << QStringLiteral("<bad index>");
        const Job next = queued.takeAt(index);
        scheduler.served(next.ownerId);
        ids << next.id;
    }
    return ids;
}

} // namespace

class SchedulerTest : public QObject {
    Q_OBJECT
private slots:
    void emptyQueue() {
        Scheduler scheduler;
        QCOMPARE(scheduler.pick({}, QStringLiteral("m1")), -1);
    }

    void fifoForOneOwner() {
        Scheduler scheduler;
        QCOMPARE(order(scheduler, {job("a1", "A"), job("a2", "A"), job("a3", "A")}),
                 (QStringList{"a1", "a2", "a3"}));
    }

    void roundRobinBetweenOwners() {
        Scheduler scheduler;
        const QList<Job> queued{job("a1", "A"), job("a2", "A"), job("a3", "A"),
                                job("b1", "B"), job("c1", "C"), job("b2", "B")};
        QCOMPARE(order(scheduler, queued), (QStringList{"a1", "b1", "c1", "a2", "b2", "a3"}));
    }

    void newcomerGoesBeforeABusyOwner() {
        Scheduler scheduler;
        scheduler.served("A");
        QCOMPARE(scheduler.pick({job("a2", "A"), job("b1", "B")}, {}), 1);
    }

    void loadedModelBreaksTies() {
        Scheduler scheduler;
        QCOMPARE(scheduler.pick({job("a1", "A", "x"), job("b1", "B", "y")}, QStringLiteral("y")), 1);
        // Forge may report the title form of the loaded checkpoint.
        QCOMPARE(
            scheduler.pick({job("a1", "A", "x"), job("b1", "B", "y")}, QStringLiteral("y.safetensors [abc]")),
            1);
        QCOMPARE(scheduler.pick({job("a1", "A", "x"), job("b1", "B", "y")}, QStringLiteral("z")), 0);
    }

    void affinityPassesOverAtMostMaxSkipsTimes() {
        Scheduler scheduler(2);
        // A waits for x; B and C want the loaded y. A's job is passed over twice, then it runs.
        QList<Job> queued{job("a1", "A", "x"), job("b1", "B", "y"), job("b2", "B", "y"), job("c1", "C", "y")};
        QCOMPARE(order(scheduler, queued, QStringLiteral("y")), (QStringList{"b1", "c1", "a1", "b2"}));
    }

    void noAffinityWithZeroSkips() {
        Scheduler scheduler(0);
        scheduler.served("B");
        QCOMPARE(scheduler.pick({job("b1", "B", "y"), job("a1", "A", "x")}, QStringLiteral("y")), 1);
    }

    void onlyJobsTheBackendCanRun() {
        Scheduler scheduler;
        const auto onlyY = [](const Job &j) { return j.modelName == QLatin1String("y"); };
        QCOMPARE(scheduler.pick({job("a1", "A", "x"), job("b1", "B", "y")}, {}, onlyY), 1);
        QCOMPARE(scheduler.pick({job("a1", "A", "x")}, {}, onlyY), -1);
        // An owner's later job may go to a backend that cannot run their first one.
        QCOMPARE(scheduler.pick({job("a1", "A", "x"), job("a2", "A", "y")}, {}, onlyY), 1);
    }

    void promotedJobGoesFirstAndIsNeverPassedOver() {
        Scheduler scheduler;
        const QList<Job> queued{job("a1", "A"), job("b1", "B"), job("b2", "B", "x")};
        scheduler.promote("b2");
        QList<int> expected{2, 0, 1};
        QCOMPARE(scheduler.order(queued), expected);
        QCOMPARE(scheduler.pick(queued, QStringLiteral("m1")), 2);
        scheduler.forget("b2");
        QCOMPARE(scheduler.order(queued), (QList<int>{0, 1, 2}));
    }

    void orderIsTheDispatchOrder() {
        Scheduler scheduler(0);
        scheduler.served("A");
        const QList<Job> queued{job("a1", "A"), job("a2", "A"), job("a3", "A"), job("b1", "B")};
        // B has not had a turn: b1 first, then A's batch.
        QCOMPARE(scheduler.order(queued), (QList<int>{3, 0, 1, 2}));
        QCOMPARE(order(scheduler, queued), (QStringList{"b1", "a1", "a2", "a3"}));
    }

    // pick() must make exactly the choice the order()-based reference makes, skip counts included, on many
    // random queues: several owners, batches, promotions (also of jobs that already left), backends that
    // can run only some checkpoints, and loaded checkpoints in both of Forge's spellings.
    void pickMatchesTheOrderBasedReference() {
        QRandomGenerator random(20261127);
        const QStringList models{"m1", "m2", "m3"};
        const QStringList loadedForms{"", "m1", "m2.safetensors [0123abcd]", "m3", "other"};
        int picks = 0;
        for (int scenario = 0; scenario < 400; ++scenario) {
            const int maxSkips = random.bounded(4);
            Scheduler scheduler(maxSkips);
            ReferenceScheduler reference(maxSkips);
            const int ownerCount = 1 + random.bounded(6);
            int nextId = 0;
            QList<Job> queued;
            auto addJobs = [&](int count) {
                // Owners come in batches, as bots and impatient users submit them.
                while (count > 0) {
                    const QString owner = QStringLiteral("u%1").arg(random.bounded(ownerCount));
                    for (int n = 1 + random.bounded(4); n > 0 && count > 0; --n, --count)
                        queued.append(job(QStringLiteral("j%1").arg(nextId++), owner,
                                          models[random.bounded(models.size())]));
                }
            };
            addJobs(random.bounded(40));
            for (int n = random.bounded(ownerCount + 1); n > 0; --n) {
                const QString owner = QStringLiteral("u%1").arg(random.bounded(ownerCount));
                scheduler.served(owner);
                reference.served(owner);
            }
            for (int step = 0; step < 60 && !queued.isEmpty(); ++step) {
                const int action = random.bounded(10);
                if (action == 0) {
                    addJobs(1 + random.bounded(5));
                    continue;
                }
                if (action == 1) {
                    // Promote a queued job, now and then one that is gone or never existed.
                    const QString id = random.bounded(4) == 0
                                           ? QStringLiteral("j%1").arg(random.bounded(nextId + 5))
                                           : queued[random.bounded(queued.size())].id;
                    scheduler.promote(id);
                    reference.promote(id);
                    continue;
                }
                // A backend that has some of the checkpoints (none: it runs everything).
                QSet<QString> has;
                for (const QString &model : models)
                    if (random.bounded(3) != 0)
                        has.insert(model);
                const Scheduler::CanRun canRun =
                    random.bounded(3) == 0
                        ? Scheduler::CanRun{}
                        : Scheduler::CanRun([has](const Job &j) { return has.contains(j.modelName); });
                const QString loaded = loadedForms[random.bounded(loadedForms.size())];
                const int expected = reference.pick(queued, loaded, canRun);
                const int actual = scheduler.pick(queued, loaded, canRun);
                ++picks;
                QVERIFY2(actual == expected, qPrintable(QStringLiteral("scenario %1 step %2: picked %3, the "
                                                                       "reference picked %4")
                                                            .arg(scenario)
                                                            .arg(step)
                                                            .arg(actual)
                                                            .arg(expected)));
                const QList<int> order = scheduler.order(queued);
                QCOMPARE(order, reference.order(queued));
                for (int place = 0; place < order.size(); ++place)
                    QCOMPARE(scheduler.position(queued, order[place]), place);
                // Mostly the backend takes the job; sometimes it is left for another backend.
                if (expected >= 0 && random.bounded(4) != 0) {
                    const Job taken = queued.takeAt(expected);
                    scheduler.served(taken.ownerId);
                    reference.served(taken.ownerId);
                    scheduler.forget(taken.id);
                    reference.forget(taken.id);
                }
            }
        }
        QVERIFY(picks > 5000);
    }

    void affinityKeepsFifoWithinAnOwner() {
        Scheduler scheduler;
        // Only an owner's oldest job competes: a2 must not jump over a1.
        QCOMPARE(scheduler.pick({job("a1", "A", "x"), job("a2", "A", "y")}, QStringLiteral("y")), 0);
    }
};

QTEST_GUILESS_MAIN(SchedulerTest)
#include "tst_scheduler.moc"
