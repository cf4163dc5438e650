// The JSON shapes of shared/api against the server's real answers: what the server sends parses into the
// shared type and comes back out byte for byte, so the server and the admin window cannot drift apart
// without this failing. Answers come from the server's own rendering (api::backendJson of a real
// BackendWorker) and from tests/admin-gui/fixtures, captured from a navigator run with forge-sims.
#include "server/api/AdminBackendRoutes.h"
#include "server/forge/ForgeClient.h"
#include "server/queue/BackendWorker.h"
#include "shared/api/Backend.h"

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
        const QJsonObject answer = api::backendJson(worker);
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
};

QTEST_GUILESS_MAIN(ApiShapesTest)
#include "tst_apishapes.moc"
