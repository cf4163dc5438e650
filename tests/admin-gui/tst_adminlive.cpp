// navigator-admin against a real navigator process (fresh database) and forge-sim: the status shows the
// backend and its checkpoint, the Users tab's authorize, role and disable actions reach the server, the list
// pages, the role box follows the caller's rights, an apprentice token is told it is not an admin, and the
// window notices the server (and the backend) dying and coming back.
#include "admin-gui/ConnectDialog.h"
#include "admin-gui/MainWindow.h"
#include "admin-gui/PreviewPane.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/QueueTab.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/UsersFeed.h"
#include "admin-gui/UsersModel.h"
#include "admin-gui/UsersTab.h"
#include "server/auth/JwtCodec.h"
#include "tests/support/TestSupport.h"

#include <QApplication>
#include <QJsonArray>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav;
using admin::ServerConnection;

class AdminLiveTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_settingsDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::NavigatorInstance> m_nav;
    test::ChildProcess m_sim;
    quint16 m_simPort = 0;

    bool startSim() {
        // Slow steps, so that jobs are seen waiting and running.
        return m_sim.start(test::binPath("forge-sim"), {"--port", QString::number(m_simPort), "--step-ms",
                                                        "150", "--preview-every", "5"}) &&
               test::waitForPort(m_simPort);
    }

    admin::ConnectionSettings settings(const QString &token) const {
        admin::ConnectionSettings s;
        s.httpUrl = m_nav->url({});
        s.realtimeUrl = m_nav->rtUrl();
        s.token = token;
        return s;
    }
    QString jwt(const QString &id, int role) const {
        return auth::JwtCodec(m_nav->secretKey().toUtf8()).sign(id, role, 600'000);
    }
    // The role the server has for a user, read through the API (-1 when unknown).
    int serverRole(const QString &id) const {
        const test::HttpReply reply = test::http("GET", m_nav->url("/api/admin/users/" + id), {},
                                                 {{"Authorization", m_nav->adminToken().toUtf8()}});
        return reply.status == 200 ? reply.json().value("role").toInt(-1) : -1;
    }
    void connectWindow(admin::MainWindow &window, const QString &token) {
        window.connection()->setRequestTimeoutMs(5000);
        window.connectTo(settings(token));
        QTRY_VERIFY_WITH_TIMEOUT(window.isDataLoaded(), 20000);
    }

private slots:
    void initTestCase() {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        m_simPort = test::freePort();
        QVERIFY2(startSim(), m_sim.output().constData());
        m_db = std::make_unique<test::TestDatabase>();
        m_nav = std::make_unique<test::NavigatorInstance>(
            *m_db, QHash<QString, QString>{
                       {"SD_API_HOST", QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(m_simPort)}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
    }
    void cleanupTestCase() { m_nav.reset(); }

    void usersFlowsReachTheServer() {
        admin::MainWindow window;
        window.show();
        connectWindow(window, m_nav->adminToken());
        admin::UsersTab *tab = window.usersTab();
        QCOMPARE(window.usersModel()->rowCount(), 0);

        tab->authorize("1000000000000000001", false); // the first user ever becomes apex
        QTRY_VERIFY_WITH_TIMEOUT(tab->message().startsWith("Authorized 1000000000000000001"), 10000);
        tab->authorize("2000000000000000002", false);
        QTRY_VERIFY_WITH_TIMEOUT(tab->message().startsWith("Authorized 2000000000000000002"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window.usersModel()->rowCount(), 2, 10000);
        QCOMPARE(serverRole("2000000000000000002"), 1);

        QVERIFY(tab->selectUser("2000000000000000002"));
        tab->setSelectedRole(2, false);
        QTRY_VERIFY_WITH_TIMEOUT(tab->message().contains("is now 2 artificer"), 10000);
        QCOMPARE(serverRole("2000000000000000002"), 2);

        QVERIFY(tab->selectUser("2000000000000000002"));
        tab->disableSelected(false);
        QTRY_VERIFY_WITH_TIMEOUT(tab->message().startsWith("Disabled 2000000000000000002"), 10000);
        QCOMPARE(serverRole("2000000000000000002"), 0);
        // The list shows what the server now has.
        QTRY_VERIFY_WITH_TIMEOUT(tab->selectUser("2000000000000000002") &&
                                     window.usersModel()
                                             ->index(window.usersModel()->rowOf("2000000000000000002"), 0)
                                             .data(admin::UsersModel::RoleValueRole)
                                             .toInt() == 0,
                                 10000);

        // A refusal from the server is shown, not swallowed.
        tab->authorize("not-a-number", false);
        QTRY_VERIFY_WITH_TIMEOUT(tab->message().startsWith("Authorizing not-a-number failed"), 10000);
        QVERIFY2(tab->message().contains("Discord ID must be a number"), qPrintable(tab->message()));
    }

    void adminSocketAndStatus() {
        admin::MainWindow window;
        connectWindow(window, m_nav->adminToken());
        // The realtime server takes the superuser token for the admin socket.
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 15000);
        window.connection()->refreshStatus();
        QTRY_VERIFY_WITH_TIMEOUT(window.connection()->status().value("connected_clients").toInt() >= 1,
                                 10000);
        const QJsonObject status = window.connection()->status();
        QCOMPARE(status.value("version").toString(), QStringLiteral(NAVIGATOR_TEST_VERSION));
        const QJsonObject backend = status.value("backends").toArray().first().toObject();
        QCOMPARE(backend.value("reachable").toBool(), true);
        QVERIFY(!backend.value("checkpoint").toString().isEmpty());
        QVERIFY2(window.statusBarText().contains("Backend: up"), qPrintable(window.statusBarText()));

        // The backend going away shows once the cached probe expires; the window stays connected.
        window.connection()->setStatusIntervalMs(500);
        m_sim.kill();
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBarText().contains("DOWN"), 30000);
        QCOMPARE(window.connection()->state(), ServerConnection::State::Connected);
        QVERIFY2(startSim(), m_sim.output().constData());
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBarText().contains("Backend: up"), 30000);
    }

    void queueOfARealRun() {
        const QString user = QStringLiteral("5000000000000000005");
        QCOMPARE(test::http("GET", m_nav->url("/api/admin/authorize-user/" + user), {},
                            {{"Authorization", m_nav->adminToken().toUtf8()}})
                     .status,
                 200);
        const QByteArray bearer = "Bearer " + jwt(user, 1).toUtf8();
        admin::MainWindow window;
        window.show();
        connectWindow(window, m_nav->adminToken());
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 15000);

        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            const test::HttpReply reply =
                test::httpJson("POST", m_nav->url("/api/queue/user/txt2img"),
                               QJsonObject{{"model_name", "sd_xl_base_1.0"},
                                           {"prompt", QStringLiteral("job %1").arg(i)},
                                           {"steps", 20}},
                               {{"Authorization", bearer}});
            QVERIFY2(reply.status == 200, reply.body.constData());
            ids << reply.json().value("job_id").toString();
        }
        admin::QueueModel *model = window.queueModel();
        for (const QString &id : ids)
            QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(id) >= 0, 15000);
        QCOMPARE(model->job(ids[2])->ownerId, user);
        QCOMPARE(model->job(ids[2])->prompt, QStringLiteral("job 2"));
        QCOMPARE(model->job(ids[2])->steps, 20);

        // Progress of the running job reaches the row.
        QTRY_VERIFY_WITH_TIMEOUT(
            model->job(ids[0])->state == admin::QueueJob::State::Running &&
                model->index(model->rowOf(ids[0]), 0).data(admin::QueueModel::ProgressRole).toInt() > 0,
            20000);
        // Its live preview shows in the pane.
        QVERIFY(window.queueTab()->selectJob(ids[0]));
        QTRY_VERIFY_WITH_TIMEOUT(window.queueTab()->preview()->imageKind() != "none", 20000);

        // Cancel the last waiting job from the window: the server drops it.
        QVERIFY(window.queueTab()->selectJob(ids[2]));
        window.queueTab()->cancelSelected(false);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowOf(ids[2]), -1, 15000);
        const test::HttpReply gone =
            test::http("GET", m_nav->url("/api/queue/jobs/" + ids[2]), {}, {{"Authorization", bearer}});
        QVERIFY2(gone.status == 404 || gone.json().value("status").toString() != "queued",
                 gone.body.constData());

        // The first job finishes; it stays listed (recent jobs) with its final image.
        QVERIFY(window.queueTab()->selectJob(ids[0]));
        QTRY_COMPARE_WITH_TIMEOUT(model->job(ids[0])->state, admin::QueueJob::State::Finished, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window.queueTab()->preview()->imageKind(), QStringLiteral("final"), 15000);
        QVERIFY(!window.queueTab()->preview()->currentImage().isNull());
        // Let the second one end too, so later tests see an idle queue.
        QTRY_VERIFY_WITH_TIMEOUT(!model->job(ids[1])->isActive(), 30000);
    }

    void usersListPages() {
        admin::MainWindow window;
        window.usersFeed()->setPageSize(2);
        connectWindow(window, m_nav->adminToken());
        window.usersTab()->authorize("3000000000000000003", false);
        QTRY_VERIFY_WITH_TIMEOUT(window.usersTab()->message().startsWith("Authorized 3000000000000000003"),
                                 10000);
        // The page reloads after the action; wait until it counts the new user.
        const int before = test::http("GET", m_nav->url("/api/admin/users?page=1&limit=2"), {},
                                      {{"Authorization", m_nav->adminToken().toUtf8()}})
                               .json()
                               .value("count")
                               .toInt();
        QTRY_COMPARE_WITH_TIMEOUT(window.usersModel()->totalCount(), before, 10000);
        const int total = window.usersModel()->totalCount();
        QCOMPARE(window.usersModel()->totalPages(), (total + 1) / 2);
        QCOMPARE(window.usersModel()->rowCount(), 2);
        window.usersFeed()->load(2);
        QTRY_COMPARE_WITH_TIMEOUT(window.usersModel()->currentPage(), 2, 10000);
        QCOMPARE(window.usersModel()->rowCount(), std::min(2, total - 2));
    }

    void roleChoicesFollowTheCallersRights() {
        // An architect (role 3) may hand out roles 0..2 only.
        QCOMPARE(test::http(
                     "PUT", m_nav->url("/api/admin/users/3000000000000000003/role"), R"({"role":3})",
                     {{"Authorization", m_nav->adminToken().toUtf8()}, {"Content-Type", "application/json"}})
                     .status,
                 200);
        admin::MainWindow window;
        connectWindow(window, jwt("3000000000000000003", 3));
        QCOMPARE(window.connection()->caller().role, 3);
        QCOMPARE(window.usersTab()->assignableRoles(), (QList<int>{0, 1, 2}));
    }

    void apprenticeIsNotAnAdmin() {
        test::http("GET", m_nav->url("/api/admin/authorize-user/4000000000000000004"), {},
                   {{"Authorization", m_nav->adminToken().toUtf8()}});
        admin::ServerConnection connection;
        admin::ConnectDialog dialog(&connection, settings(jwt("4000000000000000004", 1)));
        dialog.tryConnect();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.errorText().startsWith("Checking"), 10000);
        QVERIFY2(dialog.errorText().startsWith("not an admin:"), qPrintable(dialog.errorText()));
        dialog.setToken("definitely-wrong");
        dialog.tryConnect();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.errorText().startsWith("Checking"), 10000);
        QVERIFY2(dialog.errorText().startsWith("bad token:"), qPrintable(dialog.errorText()));
    }

    void serverLossAndReturn() {
        admin::MainWindow window;
        window.show();
        window.connection()->setStatusIntervalMs(300);
        window.connection()->setMaxReconnectDelayMs(500);
        QSignalSpy connected(window.connection(), &ServerConnection::connected);
        connectWindow(window, m_nav->adminToken());
        QCOMPARE(connected.count(), 1);

        m_nav->kill();
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Reconnecting, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBarText().contains("reconnecting"), 5000);

        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QTRY_COMPARE_WITH_TIMEOUT(window.connection()->state(), ServerConnection::State::Connected, 20000);
        QCOMPARE(connected.count(), 2);
        // The users list was reloaded from the restarted server (same database).
        QTRY_VERIFY_WITH_TIMEOUT(window.usersModel()->totalCount() >= 3, 10000);
    }
};

int main(int argc, char **argv) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("NavigatorTests"));
    AdminLiveTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_adminlive.moc"
