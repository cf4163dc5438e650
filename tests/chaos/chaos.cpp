// Chaos run: navigator is killed with SIGKILL N times at random moments while jobs are submitted and run
// against forge-sim, restarted each time on the same database, and finally left to drain. Then it reports
// what became of every job:
//   submitted   jobs the API acknowledged (200), plus submissions cut off by a kill that still got a row
//   finished    final status finished with its image stored
//   failed      final status failed, counted per error code
//   lost        acknowledged but no row, or finished without an image
//   duplicated  rows that no submission created, or a job whose final event state disagrees with its image
//   stuck       still queued or started after the drain
//   re-run      jobs Forge received more than once (expected for those running at a kill)
//   regressed   jobs whose final event (task-finished, task-failed) a client heard but whose row, right after
//               the next kill or at the end, is not in that state, or that had any event after it: a state
//               the clients were told of was undone by a kill. One socket.io listener per user hears the
//               events; it reconnects after every restart.
// Exit code 0 when nothing was lost, duplicated, stuck or regressed, 1 otherwise, 2 on a set-up error.
//
//   build/bin/chaos --kills 50                  (SQLite; NAVIGATOR_TEST_DB=mysql and NAVIGATOR_TEST_MYSQL_*
//   NAVIGATOR_TEST_DB=mysql build/bin/chaos ...  for MariaDB, see scripts/mariadb-private.sh)
//   build/bin/chaos --step-ms 2 --jobs-per-kill 20 --max-wait-ms 100   (kills while job-state batches commit)
#include "tests/pipeline/PipelineHarness.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <algorithm>

#include <cstdio>

using namespace nav::test;

namespace {

const QStringList kUsers{QStringLiteral("111111111111111111"), QStringLiteral("222222222222222222"),
                         QStringLiteral("333333333333333333")};

struct Row {
    QString status;
    QString errorCode;
    bool hasImage = false;
};

// One socket.io client per user, connected to the navigator that runs now; it ends when navigator dies.
std::vector<std::unique_ptr<ChildProcess>> listen(PipelineHarness &h) {
    std::vector<std::unique_ptr<ChildProcess>> listeners;
    for (const QString &user : kUsers) {
        auto listener = std::make_unique<ChildProcess>();
        if (!listener->start(QStringLiteral("node"),
                             {QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs"),
                              h.nav().rtUrl().toString(), QString::fromLatin1(h.token(user).mid(7))}))
            return {};
        listeners.push_back(std::move(listener));
    }
    const bool ready = QTest::qWaitFor(
        [&] {
            return std::all_of(listeners.begin(), listeners.end(),
                               [](const auto &l) { return l->output().contains("READY"); });
        },
        20000);
    if (!ready) {
        for (const auto &listener : listeners)
            std::fprintf(stderr, "%s\n", listener->output().constData());
        return {};
    }
    return listeners;
}

// The job events the clients heard, per job in the order heard (a job has one owner, so one listener at a
// time hears it).
void collect(const std::vector<std::unique_ptr<ChildProcess>> &listeners,
             QHash<QString, QStringList> &heard) {
    for (const auto &listener : listeners) {
        listener->waitForExit(5000);
        for (const QByteArray &line : listener->output().split('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            const QString id = object.value("payload").toObject().value("job_id").toString();
            if (!id.isEmpty() && object.value("event").toString().startsWith("task-"))
                heard[id] << object.value("event").toString();
        }
    }
}

QHash<QString, Row> rows(const TestDatabase &db) {
    QHash<QString, Row> result;
    QSqlQuery query(QSqlDatabase::database(db.connectionName()));
    query.exec("SELECT j.job_id, j.status, j.error_code, i.image_data IS NOT NULL FROM jobs j "
               "LEFT JOIN images i ON i.id = j.job_id");
    while (query.next())
        result.insert(query.value(0).toString(),
                      {query.value(1).toString(), query.value(2).toString(), query.value(3).toBool()});
    return result;
}

QStringList::const_iterator finalEvent(const QStringList &events) {
    return std::find_if(events.begin(), events.end(), [](const QString &event) {
        return event == "task-finished" || event == "task-failed";
    });
}

// A final event a client heard must already be in the database (right after a kill, and at the end), and no
// event may follow it. Jobs that break this go to `regressed`.
void checkAcknowledged(const QHash<QString, QStringList> &heard, const QHash<QString, Row> &all,
                       QSet<QString> &regressed) {
    for (auto it = heard.begin(); it != heard.end(); ++it) {
        const QStringList &events = it.value();
        const auto final = finalEvent(events);
        if (final == events.end() || regressed.contains(it.key()))
            continue;
        const Row row = all.value(it.key());
        const bool kept = *final == "task-finished"
                              ? (row.status == "finished" || row.status == "interrupted") && row.hasImage
                              : row.status == "failed";
        if (!kept || final + 1 != events.end()) {
            regressed.insert(it.key());
            std::printf(
                "regressed:   %s heard %s, row %s%s\n", qPrintable(it.key()), qPrintable(events.join(' ')),
                qPrintable(row.status.isEmpty() ? "(none)" : row.status), row.hasImage ? " with image" : "");
        }
    }
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Kills navigator with SIGKILL N times while jobs run and reports submitted, finished, failed (with "
        "reasons), lost, duplicated, stuck and re-run counts. NAVIGATOR_TEST_DB=mysql (with "
        "NAVIGATOR_TEST_MYSQL_*) runs it on MariaDB. Exit 0 when nothing was lost, duplicated or stuck.");
    parser.addHelpOption();
    const QCommandLineOption kills("kills", "Number of SIGKILLs (default 10).", "n", "10");
    const QCommandLineOption perRound("jobs-per-kill", "Jobs submitted before each kill (default 3).", "n",
                                      "3");
    const QCommandLineOption seedOption("seed", "Random seed (default: time).", "n");
    const QCommandLineOption stepMs("step-ms", "forge-sim's time per sampling step (default 20).", "ms",
                                    "20");
    const QCommandLineOption maxWait("max-wait-ms",
                                     "Longest random wait between a round's submissions and its kill "
                                     "(default 1200).",
                                     "ms", "1200");
    parser.addOptions({kills, perRound, seedOption, stepMs, maxWait});
    parser.process(app);
    const int killCount = parser.value(kills).toInt();
    const int jobsPerKill = parser.value(perRound).toInt();
    const int maxWaitMs = qMax(1, parser.value(maxWait).toInt());
    const quint32 seed = parser.isSet(seedOption) ? parser.value(seedOption).toUInt()
                                                  : static_cast<quint32>(QDateTime::currentMSecsSinceEpoch());
    QRandomGenerator random(seed);

    PipelineHarness h({"--step-ms", parser.value(stepMs)});
    const QString error = h.start(kUsers);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "chaos: %s\n", qPrintable(error));
        return 2;
    }
    std::printf("chaos: %d kills, %d jobs per kill, forge-sim --step-ms %s, seed %u, database %s\n",
                killCount, jobsPerKill, qPrintable(parser.value(stepMs)), seed,
                qPrintable(h.db().describe()));
    std::fflush(stdout);

    QSet<QString> acknowledged;
    QSet<QString> cutOff; // submissions whose answer a kill cut off: the client cannot know
    QHash<QString, int> refused;
    QHash<QString, QStringList> heard; // job id -> the task-* events its owner's client heard, in order
    QSet<QString> regressed;
    auto listeners = listen(h);
    if (listeners.empty()) {
        std::fprintf(stderr, "chaos: the socket.io listeners did not connect\n");
        return 2;
    }
    QElapsedTimer clock;
    clock.start();
    for (int round = 0; round < killCount; ++round) {
        for (int i = 0; i < jobsPerKill; ++i) {
            const QString id = QStringLiteral("c%1x%2").arg(round).arg(i);
            const QString user = kUsers.at(random.bounded(kUsers.size()));
            const HttpReply reply = h.txt2img(
                user, {{"job_id", id}, {"steps", random.bounded(4, 16)}, {"seed", round * 100 + i}});
            if (reply.status == 200)
                acknowledged.insert(id);
            else if (reply.status == 0)
                cutOff.insert(id);
            else
                ++refused[QStringLiteral("%1 %2")
                              .arg(reply.status)
                              .arg(reply.json().value("error_code").toString())];
        }
        QTest::qWait(static_cast<int>(random.bounded(maxWaitMs)));
        h.nav().kill();
        collect(listeners, heard);
        checkAcknowledged(heard, rows(h.db()), regressed); // what the killed process had acknowledged
        if (!h.nav().start()) {
            std::fprintf(stderr, "chaos: navigator did not restart after kill %d:\n%s\n", round + 1,
                         h.nav().process().output().constData());
            return 2;
        }
        listeners = listen(h);
        if (listeners.empty()) {
            std::fprintf(stderr, "chaos: the socket.io listeners did not reconnect after kill %d\n",
                         round + 1);
            return 2;
        }
    }

    auto stuckNow = [](TestDatabase &db) {
        return scalar(db, "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'started')").toInt();
    };
    // Drain: every row reaches a final state, or the wait ends and what is left counts as stuck.
    QElapsedTimer drain;
    drain.start();
    while (drain.elapsed() < 180000) {
        if (stuckNow(h.db()) == 0)
            break;
        QThread::msleep(200);
    }

    if (stuckNow(h.db()) > 0) // what the last navigator said about the jobs it did not end
        std::fprintf(stderr, "%s\n", h.nav().process().output().right(6000).constData());
    h.nav().terminate();
    collect(listeners, heard);
    const QHash<QString, Row> all = rows(h.db());
    int finished = 0, stuck = 0, lost = 0, duplicated = 0, interrupted = 0;
    QMap<QString, int> failed;
    for (auto it = all.begin(); it != all.end(); ++it) {
        if (!acknowledged.contains(it.key()) && !cutOff.contains(it.key()))
            ++duplicated; // a row no submission made
        const Row &row = it.value();
        if (row.status == "finished")
            row.hasImage ? ++finished : ++lost;
        else if (row.status == "failed")
            ++failed[row.errorCode.isEmpty() ? QStringLiteral("(no code)") : row.errorCode];
        else if (row.status == "interrupted")
            ++interrupted;
        else {
            ++stuck;
            std::printf("stuck:       %s %s, heard: %s\n", qPrintable(it.key()), qPrintable(row.status),
                        qPrintable(heard.value(it.key()).join(' ')));
        }
    }
    for (const QString &id : std::as_const(acknowledged))
        if (!all.contains(id))
            ++lost;
    QHash<QString, int> sent;
    for (const QJsonValue &entry : h.sim().requests())
        ++sent[entry.toObject().value("body").toObject().value("force_task_id").toString()];
    int rerun = 0;
    for (auto it = sent.begin(); it != sent.end(); ++it)
        rerun += it.value() > 1 ? 1 : 0;
    checkAcknowledged(heard, all, regressed);
    int cutOffStored = 0;
    for (const QString &id : std::as_const(cutOff))
        cutOffStored += all.contains(id) ? 1 : 0;

    int failedTotal = 0;
    QStringList reasons;
    for (auto it = failed.begin(); it != failed.end(); ++it) {
        failedTotal += it.value();
        reasons << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
    }
    QStringList refusals;
    for (auto it = refused.begin(); it != refused.end(); ++it)
        refusals << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
    std::printf("kills:       %d in %.1f s (+%.1f s drain)\n", killCount,
                clock.elapsed() / 1000.0 - drain.elapsed() / 1000.0, drain.elapsed() / 1000.0);
    std::printf("submitted:   %lld acknowledged, %lld cut off by a kill (%d of them stored), refused: %s\n",
                static_cast<long long>(acknowledged.size()), static_cast<long long>(cutOff.size()),
                cutOffStored, refusals.isEmpty() ? "none" : qPrintable(refusals.join(", ")));
    std::printf("finished:    %d\n", finished);
    std::printf("failed:      %d%s%s\n", failedTotal, reasons.isEmpty() ? "" : " ",
                qPrintable(reasons.join(", ")));
    std::printf("interrupted: %d\n", interrupted);
    std::printf("lost:        %d\n", lost);
    std::printf("duplicated:  %d\n", duplicated);
    std::printf("stuck:       %d\n", stuck);
    std::printf("re-run:      %d (jobs Forge received more than once)\n", rerun);
    int heardFinal = 0;
    for (const QStringList &events : std::as_const(heard))
        heardFinal += finalEvent(events) != events.end() ? 1 : 0;
    std::printf("regressed:   %lld of %d jobs whose final event a client heard\n",
                static_cast<long long>(regressed.size()), heardFinal);
    return lost == 0 && duplicated == 0 && stuck == 0 && regressed.isEmpty() && heardFinal > 0 ? 0 : 1;
}
