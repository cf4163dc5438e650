// A MariaDB outage while jobs run. Navigator runs against its own private MariaDB server (server time zone
// +05:00, so a session without time_zone='+00:00' shows), which is stopped in the middle of a run and started
// again. Expected: new submissions get 503 DATABASE_UNAVAILABLE with Retry-After meanwhile; afterwards every
// job is finished with its image (none stuck, none failed, no image thrown away), the clients heard exactly
// one task-finished per job and no task-failed, Forge ran each job once, and every timestamp written after
// the reconnect is UTC. /readyz says the database is down during the outage and is ready again after it.
// OUTAGE_JOBS (default 8) and OUTAGE_SECONDS (default 6) make it the long form for the closing figures, e.g.
// OUTAGE_JOBS=90 OUTAGE_SECONDS=20 build/bin/tst_pipeline_outage.
#include "tests/pipeline/PipelineHarness.h"
#include "tests/support/PrivateMariaDb.h"

#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
class Sql {
public:
    Sql(quint16 port) : m_port(port) {}
    ~Sql() { QSqlDatabase::removeDatabase("outage"); }
    bool open(const QString &database = {}) {
        QSqlDatabase db = QSqlDatabase::contains("outage") ? QSqlDatabase::database("outage", false)
                                                           : QSqlDatabase::addDatabase("QMYSQL", "outage");
        db.close();
        db.setHostName("127.0.0.1");
        db.setPort(m_port);
        db.setUserName("navigator");
        db.setPassword("navigator");
        db.setDatabaseName(database);
        return db.open();
    }
    QVariant value(const QString &sql) {
        QSqlQuery query(QSqlDatabase::database("outage"));
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }
    bool exec(const QString &sql) { return QSqlQuery(QSqlDatabase::database("outage")).exec(sql); }

private:
    quint16 m_port;
};

// Navigator's settings for the private MariaDB server on `port` (database `name`), plus `extra`.
QHash<QString, QString> mariadbEnv(quint16 port, const QString &name, const QHash<QString, QString> &extra) {
    QHash<QString, QString> env{
        {"DB_DRIVER", "mysql"}, {"DB_HOST", "127.0.0.1"},    {"DB_PORT", QString::number(port)},
        {"DB_SOCKET", ""},      {"DB_USER", "navigator"},    {"DB_PASSWORD", "navigator"},
        {"DB_NAME", name},      {"DB_RETRY_MAX_DELAY", "1s"}};
    env.insert(extra);
    return env;
}

// Starts navigator, makes Alice a user and connects the npm socket.io-client listener (READY once connected).
// Returns what went wrong, or an empty string.
QString startWithListener(PipelineHarness &h, Sql &sql, ChildProcess &listener) {
    if (const QString error = h.start({}); !error.isEmpty())
        return error;
    if (!sql.exec(QStringLiteral("INSERT INTO users (id, role) VALUES (%1, 1)").arg(kAlice)))
        return QStringLiteral("cannot add the user");
    if (!listener.start(
            "node", {NAVIGATOR_SOURCE_DIR "/tests/pipeline/event_listener.mjs", h.nav().rtUrl().toString()}))
        return QStringLiteral("cannot start the socket.io listener");
    if (!QTest::qWaitFor([&] { return listener.output().contains("READY"); }, 20000))
        return QStringLiteral("the socket.io listener did not connect: ") + listener.output();
    return {};
}

int countEvents(const ChildProcess &listener, const QString &jobId, const QString &name) {
    int count = 0;
    for (const QByteArray &line : listener.output().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value("event").toString() == name &&
            (jobId.isEmpty() || object.value("payload").toObject().value("job_id").toString() == jobId))
            ++count;
    }
    return count;
}
} // namespace

class PipelineOutageTest : public QObject {
    Q_OBJECT

private slots:
    // Both cases need a private MariaDB server and the npm socket.io-client.
    void initTestCase() {
        if (!PrivateMariaDb::installed()) {
            if (qEnvironmentVariable("CI") == "true")
                QFAIL("mariadbd is not installed (scripts/deps.sh installs it)");
            QSKIP("mariadbd is not installed");
        }
        if (!QFile::exists(NAVIGATOR_SOURCE_DIR "/tests/compat/node_modules/socket.io-client"))
            QSKIP("socket.io-client is not installed: run `npm ci --prefix tests/compat`");
    }

    void mariadbStoppedAndRestartedDuringARun() {
        PrivateMariaDb server(QStringLiteral("--default-time-zone=+05:00"));
        QVERIFY(server.start());
        const quint16 port = server.port();
        Sql sql(port);
        QVERIFY(sql.open());
        QVERIFY(sql.exec("CREATE DATABASE nav_outage"));
        QVERIFY(sql.open("nav_outage"));

        PipelineHarness h({"--step-ms", "30"}, mariadbEnv(port, "nav_outage", {{"MAX_JOBS_PER_USER", "0"}}));
        ChildProcess listener;
        const QString error = startWithListener(h, sql, listener);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QStringList ids;
        const int jobs =
            qEnvironmentVariableIntValue("OUTAGE_JOBS") > 0 ? qEnvironmentVariableIntValue("OUTAGE_JOBS") : 8;
        const int outageMs = 1000 * (qEnvironmentVariableIntValue("OUTAGE_SECONDS") > 0
                                         ? qEnvironmentVariableIntValue("OUTAGE_SECONDS")
                                         : 6);
        for (int i = 0; i < jobs; ++i) {
            const HttpReply reply =
                h.txt2img(kAlice, {{"steps", 15}, {"prompt", QStringLiteral("job %1").arg(i)}});
            QCOMPARE(reply.status, 200);
            ids << reply.json().value("job_id").toString();
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            sql.value("SELECT COUNT(*) FROM jobs WHERE status = 'finished'").toInt() >= 2, 30000);

        QTRY_COMPARE_WITH_TIMEOUT(http("GET", h.nav().url("/readyz")).status, 200, 10000);
        QVERIFY(server.stop());
        const HttpReply refused = h.txt2img(kAlice);
        if (refused.status != 503)
            qWarning().noquote() << h.nav().process().output().right(6000);
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value("error_code").toString(), QString("DATABASE_UNAVAILABLE"));
        QVERIFY(!refused.header("retry-after").isEmpty());
        // Health shows the outage and names the database.
        HttpReply ready;
        QTRY_VERIFY_WITH_TIMEOUT((ready = http("GET", h.nav().url("/readyz"))).status == 503, 10000);
        QVERIFY2(ready.json().value("down").toArray().contains(QJsonValue("database")),
                 ready.body.constData());
        QCOMPARE(ready.json().value("database").toObject().value("up").toBool(true), false);
        QTest::qWait(outageMs); // the running job ends during the outage; its image must wait, not be dropped
        QVERIFY(server.start());
        QVERIFY(sql.open("nav_outage"));

        for (const QString &id : ids) {
            QCOMPARE(h.waitForFinal(kAlice, id, 60000 + 1000 * jobs).value("status").toString(),
                     QString("finished"));
            QCOMPARE(http("GET", h.nav().url("/api/images/" + id)).status, 200);
        }
        QTRY_COMPARE_WITH_TIMEOUT(http("GET", h.nav().url("/readyz")).status, 200, 10000);
        QCOMPARE(sql.value("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'started')").toInt(), 0);
        QCOMPARE(sql.value("SELECT COUNT(*) FROM jobs WHERE status <> 'finished'").toInt(), 0);
        QCOMPARE(sql.value("SELECT COUNT(*) FROM images WHERE image_data IS NULL").toInt(), 0);
        // Timestamps in UTC, before and after the reconnect.
        QCOMPARE(
            sql.value(
                   "SELECT COUNT(*) FROM jobs WHERE ABS(TIMESTAMPDIFF(MINUTE, finished_at, "
                   "UTC_TIMESTAMP())) > 30 OR ABS(TIMESTAMPDIFF(MINUTE, started_at, UTC_TIMESTAMP())) > 30")
                .toInt(),
            0);
        // What the clients were told agrees with the rows.
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(listener, {}, "task-finished"), ids.size(), 10000);
        QCOMPARE(countEvents(listener, {}, "task-failed"), 0);
        for (const QString &id : ids)
            QCOMPARE(countEvents(listener, id, "task-finished"), 1);
        QHash<QString, int> sent;
        for (const QJsonValue &entry : h.sim().requests())
            ++sent[entry.toObject().value("body").toObject().value("force_task_id").toString()];
        for (const QString &id : ids)
            QCOMPARE(sent.value("navigator-" + id), 1);
    }

    // A submission to an idle backend goes to Forge while its row is being inserted. When that insert fails
    // because the database is gone, the answer is the 503 it always was, the generation is interrupted, the
    // clients hear nothing of the job, and no row of it appears.
    void insertFailsAfterTheJobWentToForge() {
        PrivateMariaDb server;
        QVERIFY(server.start());
        Sql sql(server.port());
        QVERIFY(sql.open());
        QVERIFY(sql.exec("CREATE DATABASE nav_early"));
        QVERIFY(sql.open("nav_early"));
        PipelineHarness h({"--step-ms", "100"},
                          mariadbEnv(server.port(), "nav_early", {{"AUTH_ROLE_CACHE_MS", "600000"}}));
        ChildProcess listener;
        const QString error = startWithListener(h, sql, listener);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // One job first: the caller's role is cached (for long enough), so the next submission reaches the
        // queue without a read.
        const HttpReply first = h.txt2img(kAlice, {{"steps", 2}});
        QCOMPARE(first.status, 200);
        const QString firstId = first.json().value("job_id").toString();
        QCOMPARE(h.waitForFinal(kAlice, firstId).value("status").toString(), QString("finished"));
        QTRY_COMPARE_WITH_TIMEOUT(http("GET", h.nav().url("/readyz")).status, 200, 10000);

        QVERIFY(server.stop());
        const HttpReply refused = h.txt2img(kAlice, {{"steps", 100}}); // 10 s unless interrupted
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value("error_code").toString(), QString("DATABASE_UNAVAILABLE"));
        QVERIFY(!refused.header("retry-after").isEmpty());
        const QJsonArray sent = h.sim().requests();
        if (sent.size() != 2)
            qWarning().noquote() << h.nav().process().output().right(6000);
        QCOMPARE(sent.size(), 2); // it went to Forge before the insert failed
        const QString taskId =
            sent.last().toObject().value("body").toObject().value("force_task_id").toString();
        QVERIFY(taskId.startsWith("navigator-") && taskId != "navigator-" + firstId);
        const QString id = taskId.mid(QStringLiteral("navigator-").size());
        QTRY_COMPARE_WITH_TIMEOUT(h.sim().requestFor(id).value("outcome").toString(), QString("interrupted"),
                                  8000);

        QVERIFY(server.start());
        QVERIFY(sql.open("nav_early"));
        QTRY_COMPARE_WITH_TIMEOUT(http("GET", h.nav().url("/readyz")).status, 200, 10000);
        QCOMPARE(sql.value(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE job_id = '%1'").arg(id)).toInt(),
                 0);
        QCOMPARE(h.as(kAlice, "GET", "/api/queue/jobs/" + id).status, 404);
        // The queue holds nothing of it: the next job runs at once and the queue is empty again after it.
        const HttpReply next = h.txt2img(kAlice, {{"steps", 2}});
        QCOMPARE(next.status, 200);
        QCOMPARE(next.json().value("queue_size").toInt(), 1);
        QCOMPARE(h.waitForFinal(kAlice, next.json().value("job_id").toString()).value("status").toString(),
                 QString("finished"));
        QTest::qWait(200);
        for (const char *event :
             {"task-queued", "task-started", "task-progress", "task-finished", "task-failed"})
            QCOMPARE(countEvents(listener, id, event), 0);
        QCOMPARE(countEvents(listener, firstId, "task-finished"), 1);
    }
};

QTEST_GUILESS_MAIN(PipelineOutageTest)
#include "tst_pipeline_outage.moc"
