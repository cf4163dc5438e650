// The models behind the Backends, History, Usage and Status tabs, fed with real server answers captured from
// a live navigator with three forge-sims (tests/admin-gui/fixtures, made by
// `ADMIN_FIXTURES_DIR=tests/admin-gui/fixtures scripts/admin-screenshots.sh`): what each column shows, the
// live `backend-state` updates, paging fields, failure reasons, usage sums and the activity series.
#include "admin-gui/BackendsModel.h"
#include "admin-gui/HistoryFeed.h"
#include "admin-gui/HistoryModel.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/UsageModel.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QtTest>

using namespace nav::admin;

namespace {

QJsonObject fixture(const QString &name) {
    QFile file(QStringLiteral(FIXTURE_DIR "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(file.fileName()));
    return QJsonDocument::fromJson(file.readAll()).object();
}

QString cell(const QAbstractItemModel &model, int row, int column, int role = Qt::DisplayRole) {
    return model.index(row, column).data(role).toString();
}

} // namespace

class AdminStatsModelsTest : public QObject {
    Q_OBJECT

private slots:
    void backendsFromCapturedList() {
        const QJsonObject answer = fixture("backends.json");
        const QJsonArray list = answer.value("backends").toArray();
        QCOMPARE(list.size(), 3);
        BackendsModel model;
        QSignalSpy states(&model, &BackendsModel::stateChanged);
        QVERIFY(model.setList(answer));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(states.count(), 3); // each new backend announces its state
        int paused = 0;
        for (int row = 0; row < list.size(); ++row) {
            const QJsonObject b = list.at(row).toObject();
            QCOMPARE(cell(model, row, BackendsModel::ColName), b.value("name").toString());
            QVERIFY(!cell(model, row, BackendsModel::ColName).contains('@')); // never credentials
            QCOMPARE(cell(model, row, BackendsModel::ColState), b.value("state").toString());
            QCOMPARE(cell(model, row, BackendsModel::ColCheckpoint), b.value("loaded_checkpoint").toString());
            QCOMPARE(model.index(row, BackendsModel::ColDone).data().toInt(), b.value("jobs_done").toInt());
            QCOMPARE(model.index(row, BackendsModel::ColFailed).data().toInt(),
                     b.value("jobs_failed").toInt());
            QCOMPARE(cell(model, row, BackendsModel::ColError), b.value("last_error").toString());
            QCOMPARE(cell(model, row, BackendsModel::ColName, Qt::ToolTipRole), b.value("url").toString());
            const QString job = b.value("running_job").toObject().value("job_id").toString();
            QCOMPARE(cell(model, row, BackendsModel::ColJob).startsWith(job.isEmpty() ? "idle" : job), true);
            QCOMPARE(model.index(row, 0).data(BackendsModel::ProgressRole).toInt() < 0, job.isEmpty());
            paused += b.value("state").toString() == "paused" ? 1 : 0;
        }
        QCOMPARE(paused, 1); // the capture paused the third GPU
        QCOMPARE(model.state(list.at(2).toObject().value("name").toString()), QStringLiteral("paused"));
        // The one that failed jobs in Forge shows its last error.
        QVERIFY(answer.value("backends").toArray().at(1).toObject().value("jobs_failed").toInt() > 0);
        QVERIFY(cell(model, 1, BackendsModel::ColError).contains("500"));
    }

    void backendStateEventUpdatesTheRow() {
        const QJsonObject answer = fixture("backends.json");
        BackendsModel model;
        QVERIFY(model.setList(answer));
        QJsonObject event = answer.value("backends").toArray().at(2).toObject();
        const QString name = event.value("name").toString();
        event.insert("state", "down");
        event.insert("last_error", "connection refused");
        QSignalSpy states(&model, &BackendsModel::stateChanged);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.applyEvent("backend-state", event));
        QCOMPARE(states.count(), 1);
        QCOMPARE(states.first().at(0).toString(), name);
        QCOMPARE(states.first().at(1).toString(), QStringLiteral("paused"));
        QCOMPARE(states.first().at(2).toString(), QStringLiteral("down"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(cell(model, 2, BackendsModel::ColState), QStringLiteral("down"));
        QCOMPARE(cell(model, 2, BackendsModel::ColError), QStringLiteral("connection refused"));
        QCOMPARE(model.rowCount(), 3);
        // The same state again: the row refreshes, no state change is announced.
        QVERIFY(model.applyEvent("backend-state", event));
        QCOMPARE(states.count(), 1);
        QVERIFY(!model.applyEvent("task-progress", event));
        QVERIFY(!model.applyEvent("backend-state", QJsonObject{{"state", "up"}}));
        // A reload without a backend drops its row.
        QJsonArray two = answer.value("backends").toArray();
        two.removeAt(0);
        QVERIFY(model.setList(QJsonObject{{"backends", two}}));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(answer.value("backends").toArray().at(0).toObject().value("name").toString()),
                 -1);
        QVERIFY(!model.setList(QJsonObject{{"error", "x"}}));
        QCOMPARE(model.rowCount(), 2);
    }

    void runningJobProgressComesFromTheQueue() {
        QueueModel queue;
        queue.setSnapshot(QJsonArray{QJsonObject{{"job_id", "job1"},
                                                 {"owner_id", "1001"},
                                                 {"owner_name", "Ada"},
                                                 {"status", "running"},
                                                 {"progress", 0.4},
                                                 {"current_step", 8},
                                                 {"total_steps", 20}}});
        BackendsModel model(&queue);
        QJsonObject backend = fixture("backends.json").value("backends").toArray().at(0).toObject();
        backend.insert("running_job", QJsonObject{{"job_id", "job1"}, {"owner_id", "1001"}});
        QVERIFY(model.applyEvent("backend-state", backend));
        QCOMPARE(model.index(0, BackendsModel::ColProgress).data(BackendsModel::ProgressRole).toInt(), 40);
        QCOMPARE(cell(model, 0, BackendsModel::ColProgress, BackendsModel::ProgressTextRole),
                 QStringLiteral("40% (8/20)"));
        QCOMPARE(cell(model, 0, BackendsModel::ColJob), QStringLiteral("job1 (Ada)"));
        QCOMPARE(model.backendRunning("job1"), backend.value("name").toString());
        // A progress event on the queue repaints the backend's row.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(queue.applyEvent("task-progress", QJsonObject{{"job_id", "job1"}, {"progress", 0.9}}));
        QVERIFY(changed.count() >= 1);
        QCOMPARE(model.index(0, BackendsModel::ColProgress).data(BackendsModel::ProgressRole).toInt(), 90);
    }

    void historyFromCapturedPage() {
        const QJsonObject page = fixture("history.json");
        const QJsonArray jobs = page.value("jobs").toArray();
        QCOMPARE(jobs.size(), 20);
        HistoryModel model;
        QVERIFY(model.setPage(page));
        QCOMPARE(model.rowCount(), 20);
        QCOMPARE(model.total(), qint64(page.value("count").toInt()));
        QVERIFY(model.total() >= 250); // a few hundred jobs in the capture
        QCOMPARE(model.page(), 1);
        QCOMPARE(model.pageCount(), page.value("totalPages").toInt());
        QString previousEnd = QStringLiteral("9999");
        for (int row = 0; row < jobs.size(); ++row) {
            const QJsonObject job = jobs.at(row).toObject();
            QCOMPARE(model.index(row, 0).data(HistoryModel::JobIdRole).toString(),
                     job.value("job_id").toString());
            QCOMPARE(cell(model, row, HistoryModel::ColStatus), job.value("status").toString());
            QCOMPARE(cell(model, row, HistoryModel::ColBackend), job.value("backend").toString());
            QCOMPARE(cell(model, row, HistoryModel::ColModel), job.value("model_name").toString());
            QCOMPARE(
                cell(model, row, HistoryModel::ColSize),
                QStringLiteral("%1×%2").arg(job.value("width").toInt()).arg(job.value("height").toInt()));
            QCOMPARE(cell(model, row, HistoryModel::ColDuration),
                     HistoryModel::formatDuration(job.value("duration_seconds")));
            QVERIFY(!cell(model, row, HistoryModel::ColDuration).isEmpty() ||
                    job.value("started_at").isNull());
            QCOMPARE(cell(model, row, HistoryModel::ColPrompt, Qt::ToolTipRole),
                     job.value("prompt").toString());
            const QString owner = job.value("owner_name").toString();
            QCOMPARE(cell(model, row, HistoryModel::ColOwner),
                     owner.isEmpty() ? job.value("owner_id").toString() : owner);
            // Newest first.
            const QString end = job.value("finished_at").toString();
            QVERIFY2(end <= previousEnd, qPrintable(end + " after " + previousEnd));
            previousEnd = end;
        }
        // Thumbnails arrive later and show in the image column.
        const QString first = jobs.at(0).toObject().value("job_id").toString();
        QVERIFY(model.index(0, HistoryModel::ColImage).data(Qt::DecorationRole).isNull());
        QImage thumb(32, 32, QImage::Format_RGB32);
        thumb.fill(Qt::red);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setThumbnail(first, thumb);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(0, HistoryModel::ColImage).data(Qt::DecorationRole).value<QImage>().size(),
                 QSize(32, 32));
        QVERIFY(!model.setPage(QJsonObject{{"jobs", QJsonArray{}}})); // no count: not a page
        QCOMPARE(model.rowCount(), 20);
        // The same page again keeps the thumbnail; another page drops it.
        QVERIFY(model.setPage(page));
        QVERIFY(model.hasThumbnail(first));
        QVERIFY(model.setPage(fixture("history-failed.json")));
        QVERIFY(!model.hasThumbnail(first));
    }

    void failedJobsShowTheirReason() {
        const QJsonObject page = fixture("history-failed.json");
        const QJsonArray jobs = page.value("jobs").toArray();
        QVERIFY(jobs.size() >= 1);
        HistoryModel model;
        QVERIFY(model.setPage(page));
        for (int row = 0; row < jobs.size(); ++row) {
            const QJsonObject error = jobs.at(row).toObject().value("error").toObject();
            QVERIFY(!error.value("code").toString().isEmpty());
            QCOMPARE(cell(model, row, HistoryModel::ColStatus), QStringLiteral("failed"));
            QCOMPARE(cell(model, row, HistoryModel::ColReason),
                     QStringLiteral("%1: %2").arg(error.value("code").toString(),
                                                  error.value("message").toString()));
            QVERIFY(cell(model, row, HistoryModel::ColReason).contains("500"));
            QCOMPARE(model.index(row, 0).data(Qt::ForegroundRole).value<QBrush>().color(),
                     QColor(0xb0, 0x20, 0x20));
        }
    }

    void historyQueryPath() {
        HistoryQuery query;
        QCOMPARE(query.path(), QStringLiteral("/api/admin/history?page=1&limit=50"));
        query.user = "184467440737095516";
        query.status = "failed";
        query.backend = "127.0.0.1:7860";
        query.from = QDate(2026, 11, 1);
        query.to = QDate(2026, 11, 3);
        query.page = 3;
        // The last day is included: until is the next midnight.
        QCOMPARE(query.path(),
                 QStringLiteral("/api/admin/history?page=3&limit=50&user=184467440737095516&status=failed&"
                                "backend=127.0.0.1:7860&since=2026-11-01&until=2026-11-04"));
    }

    void usageFromCapturedReport() {
        const QJsonObject report = fixture("usage.json");
        const QJsonArray users = report.value("users").toArray();
        UsageModel model;
        QVERIFY(model.setReport(report));
        QCOMPARE(model.window(), QStringLiteral("24h"));
        QCOMPARE(model.rowCount(), users.size());
        QVERIFY(users.size() >= 3);
        int jobs = 0, failed = 0;
        for (int row = 0; row < users.size(); ++row) {
            const QJsonObject user = users.at(row).toObject();
            QCOMPARE(model.index(row, UsageModel::ColJobs).data().toInt(), user.value("jobs").toInt());
            QCOMPARE(model.index(row, UsageModel::ColFailed).data().toInt(), user.value("failed").toInt());
            QCOMPARE(cell(model, row, UsageModel::ColGpu),
                     UsageModel::formatSeconds(user.value("gpu_seconds").toInteger()));
            QCOMPARE(cell(model, row, UsageModel::ColUser, UsageModel::OwnerIdRole),
                     user.value("owner_id").toString());
            jobs += user.value("jobs").toInt();
            failed += user.value("failed").toInt();
        }
        QCOMPARE(jobs, model.totals().value("jobs").toInt());
        QCOMPARE(failed, model.totals().value("failed").toInt());
        const QList<HourPoint> hours = model.perHour();
        QVERIFY(hours.size() == 24 || hours.size() == 25);
        int perHour = 0;
        for (int i = 0; i < hours.size(); ++i) {
            perHour += hours.at(i).jobs;
            if (i > 0)
                QCOMPARE(hours.at(i - 1).hour.secsTo(hours.at(i).hour), 3600);
        }
        QCOMPARE(perHour, jobs);
        QCOMPARE(UsageModel::formatSeconds(125), QStringLiteral("2 min 05 s"));
        QCOMPARE(UsageModel::formatSeconds(7260), QStringLiteral("2 h 01 min"));
        QVERIFY(!model.setReport(QJsonObject{{"users", QJsonArray{}}})); // no per_hour
        QCOMPARE(model.rowCount(), users.size());
    }

    void activityFromCapturedSeries() {
        const QJsonObject answer = fixture("activity.json");
        const QJsonArray raw = answer.value("points").toArray();
        const QList<ActivityPoint> points = parseActivity(answer);
        QCOMPARE(points.size(), raw.size());
        QCOMPARE(points.size(), 15);
        int ended = 0, expected = 0, peak = 0;
        for (int i = 0; i < points.size(); ++i) {
            const QJsonObject p = raw.at(i).toObject();
            expected +=
                p.value("finished").toInt() + p.value("failed").toInt() + p.value("interrupted").toInt();
            ended += points.at(i).ended;
            peak = std::max(peak, points.at(i).queued);
            QCOMPARE(points.at(i).running, p.value("running").toInt());
            if (i > 0)
                QCOMPARE(points.at(i - 1).minute.secsTo(points.at(i).minute), 60);
        }
        QCOMPARE(ended, expected);
        QVERIFY(ended >= 250); // the capture's jobs all ended within these minutes
        QVERIFY(peak > 0);     // and waited in the queue for a while
        QVERIFY(parseActivity(QJsonObject{}).isEmpty());
        QVERIFY(
            parseActivity(QJsonObject{{"points", QJsonArray{QJsonObject{{"minute", "soon"}}}}}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(AdminStatsModelsTest)
#include "tst_adminstatsmodels.moc"
