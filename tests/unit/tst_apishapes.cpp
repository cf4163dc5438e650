// The JSON shapes of shared/api against the server's real answers: what the server sends parses into the
// shared type and comes back out byte for byte, so the server and the admin window cannot drift apart
// without this failing. Answers come from the server's own rendering (api::backendJson of a real
// BackendWorker) and from tests/admin-gui/fixtures, captured from a navigator run with forge-sims; how the
// readers treat other senders' spellings and missing fields is checked here too. tst_apishapes_live
// round-trips a running navigator's queue, users, status and backends answers.
#include "server/api/AdminBackendRoutes.h"
#include "server/forge/ForgeClient.h"
#include "server/queue/BackendWorker.h"
#include "shared/api/AdminQueueJob.h"
#include "shared/api/Backend.h"
#include "shared/api/HistoryJob.h"
#include "shared/api/Status.h"
#include "shared/api/User.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace nav;

namespace {

QJsonObject fixture(const QString &name) {
    QFile file(QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/admin-gui/fixtures/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(name));
    return QJsonDocument::fromJson(file.readAll()).object();
}

QStringList sortedKeys(const QJsonObject &object) {
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

} // namespace

class ApiShapesTest : public QObject {
    Q_OBJECT

private slots:
    void capturedBackendsRoundTrip() {
        const QJsonArray backends = fixture(QStringLiteral("backends.json")).value("backends").toArray();
        QVERIFY(backends.size() >= 2);
        bool sawRunning = false, sawError = false;
        for (const QJsonValue &value : backends) {
            const QJsonObject answer = value.toObject();
            const api::Backend backend = api::Backend::fromJson(answer);
            QVERIFY(!backend.name.isEmpty());
            sawRunning |= backend.runningJob.has_value() && backend.runningJob->startedAt.isValid();
            sawError |= !backend.lastError.isEmpty();
            QCOMPARE(backend.toJson(), answer);
        }
        QVERIFY(sawRunning); // the fixture exercises the nested object and its time
        QVERIFY(sawError);
    }

    // What GET /api/admin/backends renders for a real worker (idle, never reached) round-trips too, and has
    // exactly the shared type's fields.
    void serverRenderingRoundTrips() {
        forge::ForgeClient client(QUrl("http://user:secret@127.0.0.1:9/sdapi/v1"),
                                  QUrl("http://127.0.0.1:9"));
        queue::BackendWorker worker(QStringLiteral("127.0.0.1:9"), &client, queue::WorkerSettings{});
        const QJsonObject answer = api::backendJson(worker, worker.current());
        const api::Backend backend = api::Backend::fromJson(answer);
        QCOMPARE(backend.toJson(), answer);
        QCOMPARE(sortedKeys(answer), sortedKeys(api::Backend{}.toJson()));
        QCOMPARE(backend.name, QStringLiteral("127.0.0.1:9"));
        QCOMPARE(backend.url, QStringLiteral("http://127.0.0.1:9/sdapi/v1")); // no credentials
        QVERIFY(!backend.runningJob);
        QVERIFY(answer.value("running_job").isNull());
        QVERIFY(answer.value("loaded_checkpoint").isNull());
    }

    void missingFieldsKeepDefaults() {
        const api::Backend backend =
            api::Backend::fromJson(QJsonObject{{"name", "gpu1:7860"}, {"jobs_done", "x"}});
        QCOMPARE(backend.name, QStringLiteral("gpu1:7860"));
        QCOMPARE(backend.jobsDone, 0);
        QVERIFY(!backend.reachable);
        QVERIFY(!backend.runningJob);
    }

    void capturedHistoryRoundTrips() {
        int rows = 0;
        bool sawError = false, sawDuration = false;
        for (const QString name : {QStringLiteral("history.json"), QStringLiteral("history-failed.json")}) {
            for (const QJsonValue &value : fixture(name).value("jobs").toArray()) {
                const QJsonObject answer = value.toObject();
                const api::HistoryJob job = api::HistoryJob::fromJson(answer);
                QCOMPARE(job.toJson(), answer);
                QVERIFY(job.finishedAt.isValid());
                sawError |= !job.errorCode.isEmpty();
                sawDuration |= job.durationSeconds.has_value();
                ++rows;
            }
        }
        QVERIFY(rows >= 20);
        QVERIFY(sawError);
        QVERIFY(sawDuration);
    }

    void queueJobReadsOtherSpellingsLeniently() {
        const api::AdminQueueJob job = api::AdminQueueJob::fromJson(
            QJsonObject{{"job_id", "j1"},
                        {"owner_id", 123456789.0}, // a number, as an older server sent it
                        {"width", "512"},
                        {"position", QJsonValue::Null},
                        {"submitted_at", "2026-01-02 03:04:05"}, // as SQL prints it, UTC
                        {"started_at", 1767323045000.0},         // epoch milliseconds
                        {"error", "failed"}});
        QCOMPARE(job.ownerId, QStringLiteral("123456789"));
        QCOMPARE(job.width, 512);
        QCOMPARE(job.position, -1);
        QCOMPARE(job.submittedAt, QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC));
        QCOMPARE(job.startedAt, QDateTime::fromMSecsSinceEpoch(1767323045000, Qt::UTC));
        QCOMPARE(job.errorMessage, QStringLiteral("failed"));
        QVERIFY(!job.etaSeconds);
        // Written back in the server's own spelling.
        const QJsonObject written = job.toJson();
        QCOMPARE(written.value("owner_id").toString(), QStringLiteral("123456789"));
        QCOMPARE(written.value("submitted_at").toString(), QStringLiteral("2026-01-02T03:04:05.000Z"));
        QVERIFY(written.value("position").isNull());
        QCOMPARE(written.value("error").toObject().value("message").toString(), QStringLiteral("failed"));
        QCOMPARE(api::AdminQueueJob::key(api::AdminQueueJob::Field::EtaSeconds),
                 QLatin1String("eta_relative"));
    }

    void statusWithoutCallerOrFigures() {
        api::Status status;
        status.version = QStringLiteral("1.2.3");
        const QJsonObject written = status.toJson();
        QVERIFY(!written.contains("caller")); // the service's part; the route adds who asked
        QVERIFY(written.value("queue_depth").isNull());
        QVERIFY(written.value("database").isNull());
        const api::Status read = api::Status::fromJson(written);
        QCOMPARE(read.version, QStringLiteral("1.2.3"));
        QVERIFY(!read.queueDepth && !read.database && !read.caller);
        QCOMPARE(api::Status::fromJson(QJsonObject{}).uptimeSeconds, -1); // unknown
    }

    void userMissingFieldsKeepDefaults() {
        const api::User user = api::User::fromJson(QJsonObject{{"id", "42"}, {"role", "x"}});
        QCOMPARE(user.id, QStringLiteral("42"));
        QCOMPARE(user.role, 0);
        QVERIFY(!user.createdAt.isValid());
        const QJsonObject written = user.toJson();
        QVERIFY(written.value("name").isNull());
        QVERIFY(written.value("created_at").isNull());
    }
};

QTEST_GUILESS_MAIN(ApiShapesTest)
#include "tst_apishapes.moc"
