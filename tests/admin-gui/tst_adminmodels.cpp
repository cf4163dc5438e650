// The admin window's models without widgets or a server: token header shapes, URL derivation and the
// settings store, queue snapshots merged with socket.io events, and the users page parser.
#include "admin-gui/ApiClient.h"
#include "admin-gui/ConnectionSettings.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/UsersModel.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav::admin;

namespace {

QJsonObject job(const QString &id, const QString &status, int position = -1) {
    QJsonObject object{
        {"job_id", id},      {"owner_id", "1001"}, {"model_name", "modelA"},
        {"prompt", "a cat"}, {"width", 512},       {"height", 768},
        {"steps", 20},       {"status", status},   {"submitted_at", "2026-01-02T03:04:05.000Z"}};
    object.insert("position", position >= 0 ? QJsonValue(position) : QJsonValue(QJsonValue::Null));
    return object;
}

QStringList idsInSortedOrder(const QueueModel &model) {
    QList<QPair<qint64, QString>> keyed;
    for (int row = 0; row < model.rowCount(); ++row)
        keyed.append({model.index(row, 0).data(QueueModel::SortKeyRole).toLongLong(),
                      model.index(row, 0).data(QueueModel::JobIdRole).toString()});
    std::sort(keyed.begin(), keyed.end());
    QStringList ids;
    for (const auto &pair : keyed)
        ids.append(pair.second);
    return ids;
}

} // namespace

class AdminModelsTest : public QObject {
    Q_OBJECT

private slots:
    void authorizationHeaderByTokenShape() {
        const QString jwt = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJkaXNjb3JkX2lkIjoiMSJ9.c2lnbmF0dXJl_-");
        QVERIFY(ApiClient::looksLikeJwt(jwt));
        QCOMPARE(ApiClient::authorizationFor(jwt), "Bearer " + jwt.toUtf8());
        QCOMPARE(ApiClient::authorizationFor("s3cret-superuser"), QByteArray("s3cret-superuser"));
        // Dots alone do not make a JWT: two parts, or characters outside base64url.
        QCOMPARE(ApiClient::authorizationFor("a.b"), QByteArray("a.b"));
        QCOMPARE(ApiClient::authorizationFor("a+b.c.d"), QByteArray("a+b.c.d"));
        QCOMPARE(ApiClient::authorizationFor(QString()), QByteArray());
    }

    void urlFor() {
        ApiClient api;
        api.setBaseUrl(QUrl("http://host:3333/nav/"));
        QCOMPARE(api.urlFor("/api/admin/queue?include_recent=5").toString(),
                 QStringLiteral("http://host:3333/nav/api/admin/queue?include_recent=5"));
    }

    void realtimeUrlDerivation() {
        QCOMPARE(ConnectionSettings::defaultRealtimeUrl(QUrl("http://127.0.0.1:3333")).toString(),
                 QStringLiteral("http://127.0.0.1:3334"));
        QCOMPARE(ConnectionSettings::defaultRealtimeUrl(QUrl("https://nav.example.org")).toString(),
                 QStringLiteral("https://nav.example.org"));
        QCOMPARE(ConnectionSettings::normaliseUrl("localhost:3333/").toString(),
                 QStringLiteral("http://localhost:3333"));
        QVERIFY(ConnectionSettings::normaliseUrl("ftp://x").isEmpty());
        QVERIFY(ConnectionSettings::normaliseUrl("  ").isEmpty());
    }

    void tokenStoredOnlyWhenAsked() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath("admin.ini"), QSettings::IniFormat);
        ConnectionSettings chosen{QUrl("http://a:1"), QUrl("http://a:2"), "tok", false};
        chosen.save(settings);
        ConnectionSettings loaded = ConnectionSettings::load(settings);
        QCOMPARE(loaded.httpUrl, QUrl("http://a:1"));
        QCOMPARE(loaded.realtimeUrl, QUrl("http://a:2"));
        QVERIFY(loaded.token.isEmpty());
        QVERIFY(!settings.contains("connection/token"));

        chosen.rememberToken = true;
        chosen.save(settings);
        QCOMPARE(ConnectionSettings::load(settings).token, QStringLiteral("tok"));
        // Unticking forgets a token stored earlier.
        chosen.rememberToken = false;
        chosen.save(settings);
        QVERIFY(!settings.contains("connection/token"));
    }

    void snapshotRowsAndColumns() {
        QueueModel model;
        model.setSnapshot(QJsonArray{job("aaaa0001", "queued", 1), job("aaaa0002", "queued", 2)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(QueueModel::ColumnCount));
        QCOMPARE(model.index(0, QueueModel::ColSize).data().toString(), QStringLiteral("512×768"));
        QCOMPARE(model.index(0, QueueModel::ColStatus).data().toString(), QStringLiteral("queued"));
        QCOMPARE(model.index(1, QueueModel::ColPosition).data().toInt(), 2);
        QCOMPARE(model.index(0, QueueModel::ColProgress).data(QueueModel::ProgressRole).toInt(), -1);
        QCOMPARE(model.activeCount(), 2);
    }

    void snapshotKeepsRowIdentity() {
        QueueModel model;
        model.setSnapshot(QJsonArray{job("a", "running"), job("b", "queued", 1), job("c", "queued", 2)});
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QPersistentModelIndex keep(model.index(model.rowOf("c"), 0));
        model.setSnapshot(QJsonArray{job("b", "running"), job("c", "queued", 1), job("d", "queued", 2)});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QVERIFY(keep.isValid());
        QCOMPARE(keep.data(QueueModel::JobIdRole).toString(), QStringLiteral("c"));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf("a"), -1);
        QCOMPARE(model.runningJobId(), QStringLiteral("b"));
        QCOMPARE(model.job("c")->position, 1);
    }

    void snapshotOlderThanEventsDoesNotUndoThem() {
        // The server read its queue before it sent these events; their answer arrives after them.
        QueueModel model;
        model.setSnapshot(QJsonArray{job("a", "running"), job("b", "queued", 1)});
        const quint64 requestedAt = model.changeCount();
        QVERIFY(model.applyEvent("task-queued", job("c", "queued", 2)));
        QVERIFY(model.applyEvent("task-removed", QJsonObject{{"job_id", "b"}}));
        QVERIFY(model.applyEvent("task-finished", QJsonObject{{"job_id", "a"}}));
        model.setSnapshot(QJsonArray{job("a", "running"), job("b", "queued", 1)}, requestedAt);
        QVERIFY(model.rowOf("c") >= 0);                             // just queued: not dropped
        QCOMPARE(model.rowOf("b"), -1);                             // just removed: not brought back
        QCOMPARE(model.job("a")->state, QueueJob::State::Finished); // not running again
        // A snapshot requested after the events is the truth again, for these jobs too.
        model.setSnapshot(QJsonArray{job("b", "queued", 1)}, model.changeCount());
        QCOMPARE(model.rowOf("c"), -1);
        QVERIFY(model.rowOf("b") >= 0);
        QCOMPARE(model.rowOf("a"), -1);
    }

    void progressEventsUpdateRow() {
        QueueModel model;
        model.setSnapshot(QJsonArray{job("j1", "queued", 1)});
        QSignalSpy updated(&model, &QueueModel::jobUpdated);
        QVERIFY(model.applyEvent("task-started", QJsonObject{{"job_id", "j1"}, {"status", "started"}}));
        QCOMPARE(model.job("j1")->state, QueueJob::State::Running);
        QVERIFY(model.job("j1")->startedAt.isValid());
        QVERIFY(model.applyEvent("task-progress", QJsonObject{{"job_id", "j1"},
                                                              {"progress", 0.45},
                                                              {"eta_relative", 65.2},
                                                              {"current_step", 9},
                                                              {"total_steps", 20},
                                                              {"progress_path", "/api/previews/j1"}}));
        const QModelIndex progress = model.index(0, QueueModel::ColProgress);
        QCOMPARE(progress.data(QueueModel::ProgressRole).toInt(), 45);
        QCOMPARE(progress.data().toString(), QStringLiteral("45% (9/20)"));
        QCOMPARE(model.index(0, QueueModel::ColEta).data().toString(), QStringLiteral("1 min 05 s"));
        QCOMPARE(model.index(0, QueueModel::ColPosition).data(), QVariant());
        QVERIFY(updated.count() >= 2);

        QVERIFY(
            model.applyEvent("task-finished", QJsonObject{{"job_id", "j1"}, {"img_path", "/api/images/j1"}}));
        QCOMPARE(model.job("j1")->state, QueueJob::State::Finished);
        QCOMPARE(progress.data(QueueModel::ProgressRole).toInt(), 100);
        QCOMPARE(model.index(0, QueueModel::ColEta).data().toString(), QString());
        QCOMPARE(model.activeCount(), 0);
    }

    void failureCarriesItsError() {
        QueueModel model;
        QVERIFY(model.applyEvent(
            "task-failed", QJsonObject{{"job_id", "f1"},
                                       {"prompt", "p"},
                                       {"error", QJsonObject{{"code", "ECONNREFUSED"}, {"fatal", true}}}}));
        QCOMPARE(model.rowCount(), 1); // unknown jobs are added from the event payload
        QCOMPARE(model.job("f1")->error, QStringLiteral("ECONNREFUSED"));
        QCOMPARE(model.index(0, QueueModel::ColStatus).data().toString(),
                 QStringLiteral("failed: ECONNREFUSED"));
        QCOMPARE(model.index(0, 0).data(QueueModel::ErrorRole).toString(), QStringLiteral("ECONNREFUSED"));
        // Snapshot rows spell the error as code + message columns.
        QJsonObject failed = job("f2", "failed");
        failed.insert("error_code", "HTTP_500");
        failed.insert("error_message", "Forge said no");
        model.setSnapshot(QJsonArray{failed});
        QCOMPARE(model.job("f2")->error, QStringLiteral("HTTP_500: Forge said no"));
    }

    void otherEvents() {
        QueueModel model;
        model.setSnapshot(QJsonArray{job("q1", "queued", 1)});
        QVERIFY(!model.applyEvent("models-refreshed", QJsonObject{}));
        QVERIFY(!model.applyEvent("task-progress", QJsonObject{{"progress", 0.5}})); // no job id
        QVERIFY(model.applyEvent("model-changed", QJsonObject{{"job_id", "q1"}, {"model_name", "modelB"}}));
        QCOMPARE(model.job("q1")->state, QueueJob::State::Queued);
        QCOMPARE(model.job("q1")->modelName, QStringLiteral("modelB"));
        QVERIFY(model.applyEvent("task-interrupted", QJsonObject{{"job_id", "q1"}}));
        QCOMPARE(model.job("q1")->state, QueueJob::State::Interrupted);
        model.removeJob("q1");
        QCOMPARE(model.rowCount(), 0);
    }

    void sortOrderRunningQueuedDone() {
        QueueModel model;
        QJsonObject older = job("done-old", "finished");
        older.insert("finished_at", "2026-01-01T10:00:00Z");
        QJsonObject newer = job("done-new", "finished");
        newer.insert("finished_at", "2026-01-01T11:00:00Z");
        model.setSnapshot(
            QJsonArray{older, job("q2", "queued", 2), newer, job("q1", "queued", 1), job("run", "running")});
        QCOMPARE(idsInSortedOrder(model), (QStringList{"run", "q1", "q2", "done-new", "done-old"}));
    }

    void etaFormatting() {
        QCOMPARE(QueueJob::formatEta(-1), QString());
        QCOMPARE(QueueJob::formatEta(4.4), QStringLiteral("4 s"));
        QCOMPARE(QueueJob::formatEta(600), QStringLiteral("10 min 00 s"));
    }

    void usersPage() {
        UsersModel model;
        const QJsonObject body{{"users", QJsonArray{QJsonObject{{"discord_id", "111"},
                                                                {"role", 3},
                                                                {"image_count", 42},
                                                                {"created_at", "2026-01-02T03:04:05Z"}},
                                                    QJsonObject{{"discord_id", "222"}, {"role", 0}}}},
                               {"currentPage", 2},
                               {"totalPages", 5},
                               {"count", 123}};
        QVERIFY(model.setPage(body));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.currentPage(), 2);
        QCOMPARE(model.totalPages(), 5);
        QCOMPARE(model.totalCount(), 123);
        QCOMPARE(model.index(0, UsersModel::ColRole).data().toString(), QStringLiteral("3 architect"));
        QCOMPARE(model.index(0, UsersModel::ColImages).data().toInt(), 42);
        QVERIFY(!model.index(0, UsersModel::ColCreated).data().toString().isEmpty());
        QCOMPARE(model.index(1, UsersModel::ColImages).data(), QVariant());
        QCOMPARE(model.index(1, 0).data(UsersModel::RoleValueRole).toInt(), 0);
        QVERIFY(!model.setPage(QJsonObject{{"error", "nope"}}));
        QCOMPARE(model.rowCount(), 2); // a bad answer leaves the page alone
    }
};

QTEST_GUILESS_MAIN(AdminModelsTest)
#include "tst_adminmodels.moc"
