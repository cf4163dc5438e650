// The Backends, Queue, History and Usage tabs against a real navigator with two forge-sims (fresh database,
// SQLite or MariaDB), offscreen: pausing a backend from the window shows its state (and a state change made
// elsewhere arrives by the `backend-state` event) and jobs then go to the other backend; promoting a job
// moves it to the front of the table and of the run order; several selected jobs are cancelled at once; a
// job Forge fails appears in History with its reason; Usage counts match the jobs submitted; the new tabs'
// --screenshot works headless; the window keeps its geometry, tab and column layout, and has its shortcuts.
#include "admin-gui/BackendsFeed.h"
#include "admin-gui/BackendsModel.h"
#include "admin-gui/BackendsTab.h"
#include "admin-gui/HistoryFeed.h"
#include "admin-gui/HistoryModel.h"
#include "admin-gui/HistoryTab.h"
#include "admin-gui/MainWindow.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/QueueTab.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/StatsFeed.h"
#include "admin-gui/StatusTab.h"
#include "admin-gui/UsageModel.h"
#include "admin-gui/UsageTab.h"
#include "tests/pipeline/PipelineHarness.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav;

namespace {
const QString kAlice = QStringLiteral("730000000000000001");
const QString kBob = QStringLiteral("730000000000000002");

QStringList jobsSeenBy(const test::ForgeSim &sim) {
    QStringList ids;
    for (const QJsonValue &entry : sim.requests()) {
        const QString task = entry.toObject().value("body").toObject().value("force_task_id").toString();
        if (task.startsWith("navigator-"))
            ids << task.mid(10);
    }
    return ids;
}
} // namespace

class AdminBackendsTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_settingsDir;
    std::unique_ptr<test::PipelineHarness> m_h;
    std::unique_ptr<admin::MainWindow> m_window;
    QHash<QString, int> m_submitted; // per user

    QString submit(const QString &user, const QString &prompt = QStringLiteral("a lighthouse at dusk")) {
        const test::HttpReply reply = m_h->txt2img(user, {{"prompt", prompt}});
        if (reply.status != 200)
            qWarning() << "submit failed" << reply.status << reply.body;
        ++m_submitted[user];
        return reply.json().value("job_id").toString();
    }
    test::HttpReply admin(const QByteArray &method, const QString &path) {
        return test::http(method, m_h->nav().url(path), {},
                          {{"Authorization", m_h->nav().adminToken().toUtf8()}});
    }
    // Pauses or resumes backend `index` with the tab's buttons and waits for the row to show it.
    void control(int index, const QString &action, const QString &state) {
        admin::BackendsTab *tab = m_window->backendsTab();
        QVERIFY(tab->selectBackend(m_h->backendName(index)));
        tab->control(action);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->backendsModel()->state(m_h->backendName(index)), state, 10000);
    }
    // The ids in the order the Queue tab's table shows them.
    QStringList queueTableOrder() const {
        const QAbstractItemModel *view = m_window->queueTab()->table()->model();
        QStringList ids;
        for (int row = 0; row < view->rowCount(); ++row)
            ids << view->index(row, 0).data(admin::QueueModel::JobIdRole).toString();
        return ids;
    }

private slots:
    void initTestCase() {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        m_h = std::make_unique<test::PipelineHarness>(QStringList{"--step-ms", "40"});
        m_h->addSim({"--step-ms", "40"});
        const QString error = m_h->start({kAlice, kBob});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_window = std::make_unique<admin::MainWindow>();
        m_window->show();
        admin::ConnectionSettings settings;
        settings.httpUrl = m_h->nav().url({});
        settings.realtimeUrl = m_h->nav().rtUrl();
        settings.token = m_h->nav().adminToken();
        m_window->connection()->setRequestTimeoutMs(10000);
        m_window->connectTo(settings);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isDataLoaded(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->realtime()->state(), admin::RealtimeLink::State::Live, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->backendsModel()->rowCount(), 2, 10000);
    }
    void cleanupTestCase() {
        m_window.reset();
        m_h.reset();
    }

    void pausedBackendGetsNoJobs() {
        QVERIFY(m_window->showTab("backends"));
        admin::BackendsModel *backends = m_window->backendsModel();
        QCOMPARE(backends->state(m_h->backendName(0)), QStringLiteral("up"));
        control(0, "pause", "paused");
        // A change made elsewhere (another admin, a script) arrives as an event: no reload is involved.
        QSignalSpy reloads(m_window->backendsFeed(), &admin::BackendsFeed::reloaded);
        QCOMPARE(admin("POST", "/api/admin/backends/" + m_h->backendName(0) + "/resume").status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(backends->state(m_h->backendName(0)), QStringLiteral("up"), 10000);
        QCOMPARE(reloads.count(), 0);
        control(0, "pause", "paused");
        QCOMPARE(m_window->statusTab()->fieldText("backends"), QStringLiteral("2: 1 paused, 1 up"));

        QStringList jobs;
        for (int i = 0; i < 4; ++i)
            jobs << submit(i % 2 ? kBob : kAlice);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(m_h->waitForFinal(i % 2 ? kBob : kAlice, jobs[i]).value("status").toString(),
                     QStringLiteral("finished"));
        QVERIFY(jobsSeenBy(m_h->sim(0)).isEmpty());
        QCOMPARE(jobsSeenBy(m_h->sim(1)), jobs);
        // The other backend's done count follows (reloaded when the jobs ended).
        const int row = backends->rowOf(m_h->backendName(1));
        QTRY_COMPARE_WITH_TIMEOUT(backends->index(row, admin::BackendsModel::ColDone).data().toInt(), 4,
                                  10000);
        // History shows where each ran.
        QTRY_VERIFY_WITH_TIMEOUT(m_window->historyModel()->rowOf(jobs.last()) >= 0, 10000);
        for (const QString &id : jobs) {
            QCOMPARE(m_window->historyModel()->job(id).value("backend").toString(), m_h->backendName(1));
            QCOMPARE(m_window->historyModel()->job(id).value("status").toString(),
                     QStringLiteral("finished"));
        }
    }

    void promoteMovesAJobToTheFront() {
        control(1, "pause", "paused"); // both paused: jobs wait
        QStringList jobs;
        for (int i = 0; i < 3; ++i)
            jobs << submit(kAlice, QStringLiteral("promote %1").arg(i));
        admin::QueueModel *queue = m_window->queueModel();
        QTRY_COMPARE_WITH_TIMEOUT(queue->job(jobs[2]).value_or(admin::QueueJob{}).position, 3, 10000);
        QCOMPARE(queueTableOrder().mid(0, 3), jobs);

        QVERIFY(m_window->showTab("queue"));
        admin::QueueTab *tab = m_window->queueTab();
        QVERIFY(tab->selectJob(jobs[2]));
        QVERIFY(tab->detailText().contains("promote 2")); // the full prompt in the detail pane
        tab->promoteSelected();
        QTRY_COMPARE_WITH_TIMEOUT(queue->job(jobs[2]).value_or(admin::QueueJob{}).position, 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(queue->job(jobs[0]).value_or(admin::QueueJob{}).position, 2, 10000);
        QVERIFY2(tab->message().contains("promoted"), qPrintable(tab->message()));
        QCOMPARE(queueTableOrder().mid(0, 3), (QStringList{jobs[2], jobs[0], jobs[1]}));

        control(1, "resume", "up");
        for (const QString &id : jobs)
            QCOMPARE(m_h->waitForFinal(kAlice, id).value("status").toString(), QStringLiteral("finished"));
        QCOMPARE(jobsSeenBy(m_h->sim(1)).mid(4), (QStringList{jobs[2], jobs[0], jobs[1]}));
    }

    void severalJobsAreCancelledAtOnce() {
        control(1, "pause", "paused");
        QStringList jobs;
        for (int i = 0; i < 3; ++i)
            jobs << submit(kBob, QStringLiteral("cancel me %1").arg(i));
        admin::QueueModel *queue = m_window->queueModel();
        QTRY_VERIFY_WITH_TIMEOUT(queue->rowOf(jobs[2]) >= 0, 10000);
        admin::QueueTab *tab = m_window->queueTab();
        QVERIFY(tab->selectJobs(jobs));
        QCOMPARE(tab->selectedJobIds().size(), 3);
        tab->cancelSelected(false);
        for (const QString &id : jobs)
            QTRY_COMPARE_WITH_TIMEOUT(queue->rowOf(id), -1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tab->message(), QStringLiteral("Cancelled 3 jobs"), 10000);
        for (const QString &id : jobs) // removed on the server too
            QCOMPARE(m_h->as(kBob, "GET", "/api/queue/jobs/" + id).status, 404);
        m_submitted[kBob] -= 3; // removed jobs are deleted: they count nowhere
        control(1, "resume", "up");
    }

    void failedJobShowsItsReasonInHistory() {
        m_window->setFailureNotifications(true);
        QSignalSpy noticed(m_window.get(), &admin::MainWindow::failureNoticed);
        QVERIFY(m_h->sim(1).faults(QJsonObject{{"fail_next", 5}}));
        const QString job = submit(kBob, QStringLiteral("this one fails"));
        QCOMPARE(m_h->waitForFinal(kBob, job).value("status").toString(), QStringLiteral("failed"));
        QVERIFY(m_h->sim(1).faults(QJsonObject{{"fail_next", 0}}));
        QVERIFY(m_window->showTab("history"));
        m_window->historyTab()->applyFilter(kBob, "failed");
        admin::HistoryModel *history = m_window->historyModel();
        QTRY_VERIFY_WITH_TIMEOUT(history->rowOf(job) >= 0, 10000);
        QCOMPARE(history->rowCount(), 1);
        const int row = history->rowOf(job);
        const QString reason = history->index(row, admin::HistoryModel::ColReason).data().toString();
        QVERIFY2(reason.contains("500"), qPrintable(reason));
        QCOMPARE(history->index(row, admin::HistoryModel::ColBackend).data().toString(), m_h->backendName(1));
        QCOMPARE(history->index(row, admin::HistoryModel::ColStatus).data().toString(),
                 QStringLiteral("failed"));
        QVERIFY(m_window->historyTab()->pageText().contains("1 jobs"));
        // The failure was announced (as a tray notification where the desktop has a tray).
        QTRY_VERIFY_WITH_TIMEOUT(noticed.count() >= 1, 10000);
        QVERIFY(noticed.first().at(0).toString().contains(job));
        QVERIFY2(noticed.first().at(1).toString().contains("500"),
                 qPrintable(noticed.first().at(1).toString()));
        // A backend going down is announced too (the event as the server sends it, applied to the model).
        QJsonObject down = m_window->backendsModel()->backend(m_h->backendName(1));
        down.insert("state", "down");
        down.insert("last_error", "connection refused");
        QVERIFY(m_window->backendsModel()->applyEvent("backend-state", down));
        QTRY_VERIFY_WITH_TIMEOUT(noticed.count() >= 2, 10000);
        QCOMPARE(noticed.last().at(0).toString(),
                 QStringLiteral("Backend %1 is down").arg(m_h->backendName(1)));
        QCOMPARE(noticed.last().at(1).toString(), QStringLiteral("connection refused"));
        QVERIFY(m_window->statusTab()->fieldText("backends").contains("1 DOWN"));
        m_window->backendsFeed()->reload(); // back to what the server says
        QTRY_COMPARE_WITH_TIMEOUT(m_window->backendsModel()->state(m_h->backendName(1)), QStringLiteral("up"),
                                  10000);
        m_window->setFailureNotifications(false);
        m_window->historyTab()->applyFilter({}, {});
        QTRY_VERIFY_WITH_TIMEOUT(history->total() >= 8, 10000);
    }

    void historyOpensTheFullImageWithItsPngInfo() {
        admin::HistoryModel *history = m_window->historyModel();
        m_window->historyTab()->applyFilter(kAlice, "finished");
        QTRY_VERIFY_WITH_TIMEOUT(history->rowCount() > 0 &&
                                     history->index(0, 0).data(admin::HistoryModel::StatusRole) ==
                                         QStringLiteral("finished"),
                                 10000);
        const QString id = history->index(0, 0).data(admin::HistoryModel::JobIdRole).toString();
        // Its thumbnail arrives on its own.
        QTRY_VERIFY_WITH_TIMEOUT(history->hasThumbnail(id), 10000);
        QDialog *dialog = m_window->historyTab()->openImage(id);
        auto *image = dialog->findChild<QLabel *>("fullImage");
        auto *info = dialog->findChild<QPlainTextEdit *>("pngInfo");
        QTRY_VERIFY_WITH_TIMEOUT(!image->pixmap().isNull(), 10000);
        QCOMPARE(image->pixmap().size(), QSize(512, 512)); // forge-sim's default size, unscaled
        QVERIFY2(info->toPlainText().contains("Steps: "), qPrintable(info->toPlainText()));
        dialog->close();
    }

    void usageCountsMatchTheJobsSubmitted() {
        QVERIFY(m_window->showTab("usage"));
        admin::UsageModel *usage = m_window->usageModel();
        QSignalSpy reloaded(m_window->statsFeed(), &admin::StatsFeed::usageReloaded);
        m_window->statsFeed()->reloadUsage();
        QTRY_VERIFY_WITH_TIMEOUT(reloaded.count() >= 1, 10000);
        QCOMPARE(usage->rowCount(), 2);
        QCOMPARE(usage->user(kAlice).value("jobs").toInt(), m_submitted.value(kAlice));
        QCOMPARE(usage->user(kBob).value("jobs").toInt(), m_submitted.value(kBob));
        QCOMPARE(usage->user(kAlice).value("failed").toInt(), 0);
        QCOMPARE(usage->user(kBob).value("failed").toInt(), 1);
        QCOMPARE(usage->totals().value("jobs").toInt(), m_submitted.value(kAlice) + m_submitted.value(kBob));
        int perHour = 0;
        for (const admin::HourPoint &hour : usage->perHour())
            perHour += hour.jobs;
        QCOMPARE(perHour, m_submitted.value(kAlice) + m_submitted.value(kBob));

        // The Status tab: the database, and the last hour from the activity series.
        QSignalSpy activity(m_window->statsFeed(), &admin::StatsFeed::activityReloaded);
        m_window->statsFeed()->reloadActivity();
        QTRY_VERIFY_WITH_TIMEOUT(activity.count() >= 1, 10000);
        const QString total = QString::number(m_submitted.value(kAlice) + m_submitted.value(kBob));
        // (The queue length is sampled at each minute's end, so a short wait may not show in it.)
        QVERIFY2(
            m_window->statusTab()
                ->fieldText("lasthour")
                .startsWith(QStringLiteral("%1 submitted, %1 ended (1 failed), longest queue ").arg(total)),
            qPrintable(m_window->statusTab()->fieldText("lasthour")));
        m_window->connection()->refreshStatus();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->statusTab()
                                     ->fieldText("database")
                                     .startsWith(m_h->db().isMysql() ? "mysql " : "sqlite "),
                                 10000);
    }

    void screenshotsOfTheNewTabs() {
        QTemporaryDir dir;
        for (const QString tab : {"backends", "history", "usage", "status"}) {
            const QString file = dir.filePath(tab + ".png");
            QProcess process;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("QT_QPA_PLATFORM", "offscreen");
            env.insert("XDG_CONFIG_HOME", m_settingsDir.path());
            process.setProcessEnvironment(env);
            process.setProcessChannelMode(QProcess::MergedChannels);
            process.start(test::binPath("navigator-admin"),
                          {"--server", m_h->nav().url({}).toString(), "--realtime",
                           m_h->nav().rtUrl().toString(), "--token", m_h->nav().adminToken(), "--screenshot",
                           file, "--tab", tab, "--size", "1000x640"});
            QVERIFY(process.waitForFinished(60000));
            QVERIFY2(process.exitCode() == 0, process.readAll().constData());
            const QImage image(file);
            QVERIFY(!image.isNull());
            QCOMPARE(image.size() / image.devicePixelRatio(), QSize(1000, 640));
        }
        QProcess bad;
        bad.setProcessChannelMode(QProcess::MergedChannels);
        bad.start(test::binPath("navigator-admin"),
                  {"--server", m_h->nav().url({}).toString(), "--token", "x", "--screenshot",
                   dir.filePath("x.png"), "--tab", "gpus"});
        QVERIFY(bad.waitForFinished(30000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAll().contains("backends, history, usage"));
    }

    void windowRemembersLayoutAndHasShortcuts() {
        // The shortcuts of the Jobs menu.
        QStringList shortcuts;
        for (const QAction *action : m_window->findChildren<QAction *>())
            shortcuts << action->shortcut().toString();
        for (const QString key : {"Ctrl+I", "Ctrl+P", "F5"})
            QVERIFY2(shortcuts.contains(key), qPrintable(shortcuts.join(", ")));

        m_window->resize(1010, 650);
        QVERIFY(m_window->showTab("usage"));
        QHeaderView *usageHeader = m_window->usageTab()->table()->horizontalHeader();
        usageHeader->hideSection(admin::UsageModel::ColInterrupted);
        QHeaderView *historyHeader = m_window->historyTab()->table()->horizontalHeader();
        historyHeader->moveSection(admin::HistoryModel::ColBackend, 1);
        m_window->close();

        admin::MainWindow again;
        QCOMPARE(again.size(), QSize(1010, 650));
        QVERIFY(again.usageTab()->table()->horizontalHeader()->isSectionHidden(
            admin::UsageModel::ColInterrupted));
        QCOMPARE(
            again.historyTab()->table()->horizontalHeader()->visualIndex(admin::HistoryModel::ColBackend), 1);
        QCOMPARE(again.findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(again.usageTab()));
        // The token is not stored unless asked for.
        QSettings settings;
        for (const QString &key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().contains(m_h->nav().adminToken()), qPrintable(key));
    }
};

QTEST_MAIN(AdminBackendsTest)
#include "tst_adminbackends.moc"
