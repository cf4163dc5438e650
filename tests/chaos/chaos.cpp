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
// Exit code 0 when nothing was lost, duplicated or stuck, 1 otherwise, 2 on a set-up error.
//
//   build/bin/chaos --kills 50                  (SQLite; NAVIGATOR_TEST_DB=mysql and NAVIGATOR_TEST_MYSQL_*
//   NAVIGATOR_TEST_DB=mysql build/bin/chaos ...  for MariaDB, see scripts/mariadb-private.sh)
#include "tests/pipeline/PipelineHarness.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QThread>

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
    parser.addOptions({kills, perRound, seedOption});
    parser.process(app);
    const int killCount = parser.value(kills).toInt();
    const int jobsPerKill = parser.value(perRound).toInt();
    const quint32 seed = parser.isSet(seedOption) ? parser.value(seedOption).toUInt()
                                                  : static_cast<quint32>(QDateTime::currentMSecsSinceEpoch());
    QRandomGenerator random(seed);

    PipelineHarness h({"--step-ms", "20"});
    const QString error = h.start(kUsers);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "chaos: %s\n", qPrintable(error));
        return 2;
    }
    std::printf("chaos: %d kills, %d jobs per kill, seed %u, database %s\n", killCount, jobsPerKill, seed,
                qPrintable(h.db().describe()));
    std::fflush(stdout);

    QSet<QString> acknowledged;
    QSet<QString> cutOff; // submissions whose answer a kill cut off: the client cannot know
    QHash<QString, int> refused;
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
        QThread::msleep(random.bounded(50, 1200));
        h.nav().kill();
        if (!h.nav().start()) {
            std::fprintf(stderr, "chaos: navigator did not restart after kill %d:\n%s\n", round + 1,
                         h.nav().process().output().constData());
            return 2;
        }
    }

    // Drain: every row reaches a final state, or the wait ends and what is left counts as stuck.
    QElapsedTimer drain;
    drain.start();
    while (drain.elapsed() < 180000) {
        if (scalar(h.db(), "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'started')").toInt() == 0)
            break;
        QThread::msleep(200);
    }

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
        else
            ++stuck;
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
    return lost == 0 && duplicated == 0 && stuck == 0 ? 0 : 1;
}
