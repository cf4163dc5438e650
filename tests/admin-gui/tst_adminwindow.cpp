// The admin window's connection handling, offscreen, against an in-process admin server that the test stops
// and starts: the connect dialog names what failed (unreachable, bad token, not an admin), the status bar
// and Status tab show the server, a lost server is retried and shown as such, and a server that accepts
// connections but never answers does not freeze the window.
#include "admin-gui/ConnectDialog.h"
#include "admin-gui/MainWindow.h"
#include "admin-gui/PreviewPane.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/QueueTab.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/StatusTab.h"
#include "tests/admin-gui/AdminTestServer.h"
#include "tests/support/TestSupport.h"

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav;
using admin::ServerConnection;

class AdminWindowTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_settingsDir;
    std::unique_ptr<test::AdminTestServer> m_server;

    admin::ConnectionSettings settings(const QString &token) const {
        admin::ConnectionSettings s;
        s.httpUrl = QUrl(m_server->url());
        s.realtimeUrl = QUrl(m_server->realtimeUrl());
        s.token = token;
        return s;
    }

    QString dialogError(const QString &url, const QString &token) {
        admin::ServerConnection connection;
        connection.setRequestTimeoutMs(3000);
        admin::ConnectDialog dialog(&connection, {});
        dialog.setHttpUrl(url);
        dialog.setToken(token);
        dialog.tryConnect();
        QElapsedTimer clock;
        clock.start();
        while (dialog.errorText().startsWith("Checking") && dialog.result() != QDialog::Accepted &&
               clock.elapsed() < 10000)
            QTest::qWait(20);
        return dialog.result() == QDialog::Accepted ? QStringLiteral("accepted") : dialog.errorText();
    }

    // navigator-admin --screenshot against this process's server (the test's event loop serves it while
    // the child runs).
    struct Run {
        int exitCode = -1;
        QByteArray output;
    };
    Run runAdmin(const QStringList &args) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", m_settingsDir.path()); // keep the user's settings out of it
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(test::binPath("navigator-admin"), args);
        if (!process.waitForStarted(10000))
            return {};
        QElapsedTimer clock;
        clock.start();
        while (process.state() != QProcess::NotRunning && clock.elapsed() < 40000)
            QTest::qWait(20);
        if (process.state() != QProcess::NotRunning)
            return {-2, process.readAll()};
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAll()};
    }

private slots:
    void initTestCase() {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        m_server = std::make_unique<test::AdminTestServer>();
        m_server->setRole("300", 3);
        m_server->setRole("100", 1);
        QVERIFY(m_server->start());
    }

    void connectDialogSaysWhatFailed() {
        const QString closed = QStringLiteral("http://127.0.0.1:%1").arg(test::freePort());
        QVERIFY2(dialogError(closed, "x").startsWith("unreachable:"), qPrintable(dialogError(closed, "x")));
        const QString bad = dialogError(m_server->url(), "not-the-token");
        QVERIFY2(bad.startsWith("bad token:"), qPrintable(bad));
        const QString apprentice = dialogError(m_server->url(), m_server->jwt("100"));
        QVERIFY2(apprentice.startsWith("not an admin:"), qPrintable(apprentice));
        QCOMPARE(dialogError(m_server->url(), m_server->superuserToken()), QStringLiteral("accepted"));
        QCOMPARE(dialogError(m_server->url(), m_server->jwt("300")), QStringLiteral("accepted"));
        QVERIFY(dialogError("not a url at all", "x").contains("not valid"));
    }

    void dialogDerivesRealtimeUrl() {
        admin::ServerConnection connection;
        admin::ConnectDialog dialog(&connection, {});
        dialog.setHttpUrl("http://nav.example:4000");
        QCOMPARE(dialog.settings().realtimeUrl.toString(), QStringLiteral("http://nav.example:4001"));
    }

    void statusShown() {
        admin::MainWindow window;
        window.show();
        window.connectTo(settings(m_server->superuserToken()));
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Connected, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBarText().contains("Navigator 9.8.7"), 10000);
        QVERIFY2(window.statusBarText().contains("Backend: up"), qPrintable(window.statusBarText()));
        QCOMPARE(window.statusTab()->fieldText("version"), QStringLiteral("9.8.7"));
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 10000);
        window.connection()->refreshStatus();
        QTRY_COMPARE_WITH_TIMEOUT(window.statusTab()->fieldText("clients"), QStringLiteral("1"), 10000);
        QVERIFY(window.statusTab()->fieldText("caller").contains("superuser"));
        QVERIFY(window.connection()->caller().superuser);
        QCOMPARE(window.connection()->maxAssignableRole(), 4);
    }

    void serverLossAndReturn() {
        admin::MainWindow window;
        window.show();
        window.connection()->setStatusIntervalMs(300);
        window.connection()->setMaxReconnectDelayMs(500);
        window.connection()->setRequestTimeoutMs(3000);
        QSignalSpy connected(window.connection(), &ServerConnection::connected);
        window.connectTo(settings(m_server->jwt("300")));
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
        QCOMPARE(window.connection()->maxAssignableRole(), 2);

        m_server->stop();
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Reconnecting, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBarText().contains("reconnecting"), 5000);
        QVERIFY2(window.connection()->lastError().startsWith("unreachable"),
                 qPrintable(window.connection()->lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(window.connection()->reconnectAttempt() >= 2, 10000);

        QVERIFY(m_server->start());
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Connected, 10000);
        QCOMPARE(connected.count(), 2); // the tabs reload after a reconnect
        QVERIFY(window.statusBarText().startsWith("Connected"));
    }

    void liveEventsReachTheQueue() {
        admin::MainWindow window;
        window.connection()->setRequestTimeoutMs(3000);
        window.connectTo(settings(m_server->jwt("300")));
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 10000);
        QVERIFY2(window.statusBarText().contains("Events: live"), qPrintable(window.statusBarText()));
        QVERIFY(window.statusTab()->fieldText("realtime").startsWith("live events"));
        // An event about another user's job: the admin socket sees it.
        m_server->hub()->emitJobEvent("100", "10.1.2.3", "task-progress",
                                      QJsonObject{{"job_id", "abcd1234"},
                                                  {"owner_id", "100"},
                                                  {"prompt", "a lighthouse"},
                                                  {"progress", 0.3},
                                                  {"current_step", 6},
                                                  {"total_steps", 20},
                                                  {"origin", "10.1.2.3"}});
        QTRY_VERIFY_WITH_TIMEOUT(window.queueModel()->job("abcd1234").has_value(), 10000);
        QCOMPARE(window.queueModel()->job("abcd1234")->state, admin::QueueJob::State::Running);
        QCOMPARE(window.queueModel()->job("abcd1234")->currentStep, 6);

        // The realtime server going away is shown and the socket comes back by itself.
        m_server->stop();
        QTRY_VERIFY_WITH_TIMEOUT(window.realtime()->state() != admin::RealtimeLink::State::Live, 10000);
        QVERIFY(m_server->start());
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 30000);
    }

    void queueTabShowsAndCancelsJobs() {
        api::AdminQueueJob running = test::FakeQueueSource::job("run00001", "running");
        running.progress = 0.25;
        running.currentStep = 5;
        running.totalSteps = 20;
        running.etaSeconds = 12;
        m_server->queue().snapshot = {{running, test::FakeQueueSource::job("wait0001", "queued", 1),
                                       test::FakeQueueSource::job("wait0002", "queued", 2)},
                                      {}};
        admin::MainWindow window;
        window.show();
        window.connection()->setRequestTimeoutMs(3000);
        window.connectTo(settings(m_server->superuserToken()));
        QTRY_VERIFY_WITH_TIMEOUT(window.isDataLoaded(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 10000);
        admin::QueueModel *model = window.queueModel();
        QCOMPARE(model->rowCount(), 3);
        const QModelIndex progress = model->index(model->rowOf("run00001"), admin::QueueModel::ColProgress);
        QCOMPARE(progress.data(admin::QueueModel::ProgressRole).toInt(), 25);
        QCOMPARE(model->index(model->rowOf("run00001"), admin::QueueModel::ColEta).data().toString(),
                 QStringLiteral("12 s"));
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBarText().contains("Queue: 3"), 10000);
        // The table view shows the running job first, then the queue in order.
        QTableView *table = window.queueTab()->table();
        QCOMPARE(table->model()->index(0, 0).data().toString(), QStringLiteral("run00001"));
        QCOMPARE(table->model()->index(1, 0).data().toString(), QStringLiteral("wait0001"));

        // Progress arrives as an event, between snapshots.
        m_server->hub()->emitJobEvent("100", {}, "task-progress",
                                      QJsonObject{{"job_id", "run00001"},
                                                  {"progress", 0.6},
                                                  {"current_step", 12},
                                                  {"total_steps", 20},
                                                  {"eta_relative", 4.0}});
        QTRY_COMPARE_WITH_TIMEOUT(progress.data(admin::QueueModel::ProgressRole).toInt(), 60, 10000);

        // Copy id and prompt of the selected job.
        QVERIFY(window.queueTab()->selectJob("wait0002"));
        window.queueTab()->copySelectedId();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("wait0002"));
        window.queueTab()->copySelectedPrompt();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("a lighthouse at dusk"));

        // Cancel a waiting job: the server removes it and so does the table.
        window.queueTab()->cancelSelected(false);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowOf("wait0002"), -1, 10000);
        QCOMPARE(m_server->interrupted(), QStringList{"wait0002"});
        QVERIFY2(window.queueTab()->message().contains("removed"), qPrintable(window.queueTab()->message()));

        // Interrupt the running one: the server's task-interrupted event marks it.
        QVERIFY(window.queueTab()->selectJob("run00001"));
        window.queueTab()->cancelSelected(false);
        QTRY_COMPARE_WITH_TIMEOUT(model->job("run00001")->state, admin::QueueJob::State::Interrupted, 10000);
        QCOMPARE(m_server->interrupted(), (QStringList{"wait0002", "run00001"}));
        m_server->queue().snapshot = {};
    }

    void refusedSocketFallsBackToPolling() {
        admin::MainWindow window;
        admin::ConnectionSettings s = settings(m_server->superuserToken());
        window.connectTo(s);
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 10000);
        window.realtime()->open(QUrl(m_server->realtimeUrl()), "not-a-token");
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Refused, 10000);
        QVERIFY(window.statusTab()->fieldText("realtime").startsWith("refused: Not authorized"));
        QVERIFY2(window.statusBarText().contains("Events: polling"), qPrintable(window.statusBarText()));
    }

    void refusedTokenStopsRetrying() {
        admin::MainWindow window;
        window.connection()->setStatusIntervalMs(200);
        window.connectTo(settings(m_server->jwt("300")));
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Connected, 10000);
        m_server->setRole("300", 0); // disabled while connected
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Failed, 10000);
        QVERIFY2(window.statusBarText().contains("not an admin"), qPrintable(window.statusBarText()));
        m_server->setRole("300", 3);
    }

    void screenshotOfEachTab() {
        QTemporaryDir dir;
        for (const QString tab : {"queue", "users", "status"}) {
            const QString file = dir.filePath(tab + ".png");
            const Run run = runAdmin({"--server", m_server->url(), "--realtime", m_server->realtimeUrl(),
                                      "--token", m_server->superuserToken(), "--screenshot", file, "--tab",
                                      tab, "--size", "900x600"});
            QVERIFY2(run.exitCode == 0, run.output.constData());
            QImage image(file);
            QVERIFY(!image.isNull());
            QCOMPARE(image.size() / image.devicePixelRatio(), QSize(900, 600));
        }
    }

    void screenshotErrors() {
        Run run =
            runAdmin({"--server", m_server->url(), "--token", "wrong", "--screenshot", "/tmp/never.png"});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.output.contains("bad token"), run.output.constData());
        run = runAdmin(
            {"--server", m_server->url(), "--token", "t", "--screenshot", "/tmp/x.png", "--tab", "nope"});
        QCOMPARE(run.exitCode, 2);
        run = runAdmin({"--screenshot", "/tmp/x.png"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains("--server and --token"), run.output.constData());
        run = runAdmin({"--help"});
        QCOMPARE(run.exitCode, 0);
        for (const char *option : {"--server", "--token", "--screenshot", "--tab", "--realtime", "--size"})
            QVERIFY2(run.output.contains(option), option);
    }

    void previewFollowsTheRunningJob() {
        m_server->setPreview("j1", test::AdminTestServer::png(Qt::red));
        m_server->setImage("j1", test::AdminTestServer::png(Qt::blue));
        admin::ApiClient api;
        api.setBaseUrl(QUrl(m_server->url()));
        api.setToken(m_server->superuserToken());
        admin::QueueModel model;
        admin::PreviewPane pane(&api, &model);
        pane.resize(300, 300);
        pane.show();
        const auto job = [](const QString &id) {
            return QJsonObject{{"job_id", id}, {"owner_id", "300"}, {"status", "queued"}, {"position", 1}};
        };
        model.setSnapshot(QJsonArray{job("j1"), job("j2")});
        QCOMPARE(pane.shownJob(), QString()); // nothing running, nothing selected
        const int before = m_server->previewCalls();

        model.applyEvent("task-started", QJsonObject{{"job_id", "j1"}});
        QCOMPARE(pane.shownJob(), QStringLiteral("j1"));
        model.applyEvent(
            "task-progress",
            QJsonObject{{"job_id", "j1"}, {"current_step", 5}, {"total_steps", 20}, {"progress", 0.25}});
        QTRY_COMPARE_WITH_TIMEOUT(pane.imageKind(), QStringLiteral("preview"), 10000);
        QCOMPARE(pane.currentImage().pixelColor(5, 5), QColor(Qt::red));
        QVERIFY(pane.caption().contains("step 5/20"));
        const int afterFirst = m_server->previewCalls();
        QVERIFY(afterFirst > before);

        // Same step again: no new preview can exist, so nothing is fetched.
        model.applyEvent("task-progress",
                         QJsonObject{{"job_id", "j1"}, {"current_step", 5}, {"progress", 0.25}});
        QTest::qWait(200);
        QCOMPARE(m_server->previewCalls(), afterFirst);
        model.applyEvent("task-progress",
                         QJsonObject{{"job_id", "j1"}, {"current_step", 10}, {"progress", 0.5}});
        QTRY_COMPARE_WITH_TIMEOUT(m_server->previewCalls(), afterFirst + 1, 10000);

        model.applyEvent("task-finished", QJsonObject{{"job_id", "j1"}, {"img_path", "/api/images/j1"}});
        QTRY_COMPARE_WITH_TIMEOUT(pane.imageKind(), QStringLiteral("final"), 10000);
        QCOMPARE(pane.currentImage().pixelColor(5, 5), QColor(Qt::blue));

        // A selected job wins over the running one; its failure is shown with the error.
        pane.setSelectedJob("j2");
        QCOMPARE(pane.shownJob(), QStringLiteral("j2"));
        QVERIFY(pane.caption().contains("position 1"));
        model.applyEvent(
            "task-failed",
            QJsonObject{{"job_id", "j2"}, {"error", QJsonObject{{"code", "HTTP_500"}, {"message", "boom"}}}});
        QVERIFY2(pane.caption().contains("HTTP_500: boom"), qPrintable(pane.caption()));
        QVERIFY(pane.currentImage().isNull());
    }

    void silentServerDoesNotFreeze() {
        // Accepts TCP connections and never answers.
        QTcpServer blackHole;
        QVERIFY(blackHole.listen(QHostAddress::LocalHost));
        admin::MainWindow window;
        window.show();
        window.connection()->setRequestTimeoutMs(1500);
        admin::ConnectionSettings s;
        s.httpUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(blackHole.serverPort()));
        s.token = "x";
        QElapsedTimer clock;
        clock.start();
        window.connectTo(s);
        QVERIFY(clock.elapsed() < 1000); // connectTo returns at once
        // The event loop keeps turning while the call hangs: a 50 ms timer keeps firing.
        int ticks = 0;
        QTimer timer;
        connect(&timer, &QTimer::timeout, [&ticks] { ++ticks; });
        timer.start(50);
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Reconnecting, 15000);
        QVERIFY2(ticks >= 10, qPrintable(QString::number(ticks)));
        QVERIFY2(window.connection()->lastError().contains("no answer"),
                 qPrintable(window.connection()->lastError()));
    }
};

int main(int argc, char **argv) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("NavigatorTests"));
    AdminWindowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_adminwindow.moc"
