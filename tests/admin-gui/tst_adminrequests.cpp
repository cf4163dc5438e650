// The Requests tab against a real navigator (fresh database), a fake Discord and forge-sim, offscreen: a
// refused login appears live with the Discord name (and the avatar from a stand-in CDN, or initials when the
// CDN has none), Approve as artificer lets the next login in, Deny removes the request for good, "Copy id"
// copies the id, the Users list and the Queue's Owner column show names with the id in the tooltip, and
// `navigator-admin --screenshot --tab requests` works headless.
#include "admin-gui/Avatars.h"
#include "admin-gui/CopyId.h"
#include "admin-gui/MainWindow.h"
#include "admin-gui/QueueFeed.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/RequestsFeed.h"
#include "admin-gui/RequestsModel.h"
#include "admin-gui/RequestsTab.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/UsersFeed.h"
#include "admin-gui/UsersModel.h"
#include "server/auth/JwtCodec.h"
#include "server/http/HttpServer.h"
#include "tests/admin-gui/AdminTestServer.h"
#include "tests/auth/FakeDiscord.h"
#include "tests/support/TestSupport.h"

#include <QApplication>
#include <QClipboard>
#include <QHostAddress>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace nav;

namespace {
const QString kWithAvatar = QStringLiteral("710000000000000001"); // the stand-in CDN has their picture
const QString kNoAvatar = QStringLiteral("710000000000000002");   // the CDN answers 404: initials
const QString kAdmin = QStringLiteral("710000000000000009");
} // namespace

class AdminRequestsTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_settingsDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::FakeDiscord> m_discord;
    std::unique_ptr<test::NavigatorInstance> m_nav;
    http::HttpServer m_cdn{http::ConnectionLimits{}};
    int m_cdnHits = 0;
    test::ChildProcess m_sim;
    int m_codes = 0;

    int login(const QString &id) {
        const QString code = QStringLiteral("gui-code-%1").arg(++m_codes);
        m_discord->addUser(id, code);
        return test::httpJson("POST", m_nav->url("/api/auth/login"), {{"code", code}}).status;
    }
    QString jwt(const QString &id, int role) const {
        return auth::JwtCodec(m_nav->secretKey().toUtf8()).sign(id, role, 600'000);
    }
    test::HttpReply admin(const QByteArray &method, const QString &path) const {
        return test::http(method, m_nav->url(path), {}, {{"Authorization", m_nav->adminToken().toUtf8()}});
    }
    admin::ConnectionSettings settings() const {
        admin::ConnectionSettings s;
        s.httpUrl = m_nav->url({});
        s.realtimeUrl = m_nav->rtUrl();
        s.token = m_nav->adminToken();
        return s;
    }
    void connectLive(admin::MainWindow &window) {
        window.avatars()->setCdnBase(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cdn.port())));
        window.connection()->setRequestTimeoutMs(5000);
        window.connectTo(settings());
        QTRY_VERIFY_WITH_TIMEOUT(window.isDataLoaded(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(window.realtime()->state(), admin::RealtimeLink::State::Live, 15000);
    }

private slots:
    void initTestCase() {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        // The stand-in for cdn.discordapp.com: one user has a picture.
        m_cdn.get("/avatars/:id/:file", [this](const http::Request &req, http::Responder res) {
            ++m_cdnHits;
            if (req.param("id") != kWithAvatar)
                return res.error(404, "no such avatar");
            res.send(200, test::AdminTestServer::png(Qt::darkGreen, 64), "image/png");
        });
        QVERIFY(m_cdn.listen(QHostAddress::LocalHost, 0));
        m_discord = std::make_unique<test::FakeDiscord>("client", "secret", "http://compass.example/", "bot");
        QVERIFY(m_discord->start());
        const quint16 simPort = test::freePort();
        QVERIFY(m_sim.start(test::binPath("forge-sim"),
                            {"--port", QString::number(simPort), "--step-ms", "100"}));
        QVERIFY(test::waitForPort(simPort));
        m_db = std::make_unique<test::TestDatabase>();
        m_nav = std::make_unique<test::NavigatorInstance>(
            *m_db, QHash<QString, QString>{
                       {"DISCORD_API_BASE", m_discord->url().toString()},
                       {"DISCORD_CLIENT_ID", "client"},
                       {"DISCORD_CLIENT_SECRET", "secret"},
                       {"DISCORD_REDIRECT_URI", "http://compass.example/"},
                       {"SD_API_HOST", QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(simPort)}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QCOMPARE(admin("GET", "/api/admin/authorize-user/" + kAdmin).status, 200); // the first user: apex
    }
    void cleanupTestCase() {
        m_nav.reset();
        m_sim.kill();
    }

    void refusedLoginAppearsLiveAndIsApproved() {
        admin::MainWindow window;
        window.show();
        connectLive(window);
        admin::RequestsModel *requests = window.requestsModel();
        QCOMPARE(requests->rowCount(), 0);
        QVERIFY(window.showTab("requests"));
        QSignalSpy notified(window.requestsTab(), &admin::RequestsTab::notify);

        QCOMPARE(login(kWithAvatar), 403);
        QTRY_VERIFY_WITH_TIMEOUT(requests->rowOf(kWithAvatar) >= 0, 15000);
        const QModelIndex name = requests->index(requests->rowOf(kWithAvatar), admin::RequestsModel::ColName);
        QCOMPARE(name.data().toString(), QStringLiteral("User %1 (@user%1)").arg(kWithAvatar));
        QVERIFY(name.data(Qt::ToolTipRole).toString().contains(kWithAvatar));
        QCOMPARE(requests->index(name.row(), admin::RequestsModel::ColAttempts).data().toInt(), 1);
        QCOMPARE(notified.count(), 1);
        QVERIFY(notified.first().at(1).toString().contains(QStringLiteral("User %1").arg(kWithAvatar)));
        // Its picture comes from the CDN.
        QTRY_VERIFY_WITH_TIMEOUT(window.avatars()->hasImage(kWithAvatar), 10000);
        const QImage avatar =
            requests->index(name.row(), 0).data(Qt::DecorationRole).value<QPixmap>().toImage();
        QCOMPARE(QColor(avatar.pixel(avatar.width() / 2, avatar.height() / 2)), QColor(Qt::darkGreen));

        // A retry updates the row (no second notification).
        QCOMPARE(login(kWithAvatar), 403);
        QTRY_COMPARE_WITH_TIMEOUT(
            requests->index(requests->rowOf(kWithAvatar), admin::RequestsModel::ColAttempts).data().toInt(),
            2, 15000);
        QCOMPARE(requests->rowCount(), 1);
        QCOMPARE(notified.count(), 1);

        // Copy id puts the Discord id on the clipboard.
        QCOMPARE(admin::copyId(requests->index(requests->rowOf(kWithAvatar), 0),
                               admin::RequestsModel::DiscordIdRole),
                 kWithAvatar);
        QCOMPARE(QGuiApplication::clipboard()->text(), kWithAvatar);

        // Approve as artificer: the row goes, the server has the role, the next login works.
        QVERIFY(window.requestsTab()->selectRequest(kWithAvatar));
        window.requestsTab()->approveSelected(2);
        QTRY_VERIFY_WITH_TIMEOUT(window.requestsTab()->message().startsWith("Approved"), 10000);
        QCOMPARE(requests->rowOf(kWithAvatar), -1);
        QCOMPARE(admin("GET", "/api/admin/users/" + kWithAvatar).json().value("role").toInt(), 2);
        QCOMPARE(login(kWithAvatar), 200);
        // The Users list names them, with the id in the tooltip.
        window.usersFeed()->reload();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.usersModel()->rowOf(kWithAvatar) >= 0 &&
                window.usersModel()
                        ->index(window.usersModel()->rowOf(kWithAvatar), admin::UsersModel::ColName)
                        .data()
                        .toString() == QStringLiteral("User %1").arg(kWithAvatar),
            10000);
        const QModelIndex user = window.usersModel()->index(window.usersModel()->rowOf(kWithAvatar), 0);
        QVERIFY(user.data(Qt::ToolTipRole).toString().contains(kWithAvatar));
        QCOMPARE(admin::copyId(user, admin::UsersModel::DiscordIdRole), kWithAvatar);
    }

    void initialsWithoutAnAvatarAndDeny() {
        admin::MainWindow window;
        window.show();
        connectLive(window);
        QCOMPARE(login(kNoAvatar), 403);
        admin::RequestsModel *requests = window.requestsModel();
        QTRY_VERIFY_WITH_TIMEOUT(requests->rowOf(kNoAvatar) >= 0, 15000);
        // Showing the row asks the CDN, which says no: initials, in the id's colour.
        const int hitsBefore = m_cdnHits;
        requests->index(requests->rowOf(kNoAvatar), 0).data(Qt::DecorationRole);
        QTRY_COMPARE_WITH_TIMEOUT(m_cdnHits, hitsBefore + 1, 10000);
        QTest::qWait(200);
        QVERIFY(!window.avatars()->hasImage(kNoAvatar));
        const QImage shown = requests->index(requests->rowOf(kNoAvatar), 0)
                                 .data(Qt::DecorationRole)
                                 .value<QPixmap>()
                                 .toImage();
        const QImage initials =
            admin::Avatars::initials(kNoAvatar, QStringLiteral("User ") + kNoAvatar, shown.width()).toImage();
        QCOMPARE(shown, initials);
        QCOMPARE(admin::Avatars::initialsOf(QStringLiteral("User ") + kNoAvatar), QStringLiteral("U7"));
        QCOMPARE(admin::Avatars::initialsOf(QStringLiteral("ada lovelace")), QStringLiteral("AL"));

        QVERIFY(window.requestsTab()->selectRequest(kNoAvatar));
        window.requestsTab()->denySelected(false);
        QTRY_VERIFY_WITH_TIMEOUT(window.requestsTab()->message().startsWith("Denied"), 10000);
        QCOMPARE(requests->rowOf(kNoAvatar), -1);
        // Their next attempt is counted but does not bring them back.
        QCOMPARE(login(kNoAvatar), 403);
        window.requestsFeed()->reload();
        QTest::qWait(1000);
        QCOMPARE(requests->rowOf(kNoAvatar), -1);
    }

    void queueShowsOwnerNames() {
        admin::MainWindow window;
        window.show();
        connectLive(window);
        const test::HttpReply reply = test::httpJson(
            "POST", m_nav->url("/api/queue/user/txt2img"),
            QJsonObject{{"model_name", "sd_xl_base_1.0"}, {"prompt", "a named owner"}, {"steps", 10}},
            {{"Authorization", "Bearer " + jwt(kWithAvatar, 2).toUtf8()}});
        QVERIFY2(reply.status == 200, reply.body.constData());
        const QString job = reply.json().value("job_id").toString();
        admin::QueueModel *queue = window.queueModel();
        QTRY_VERIFY_WITH_TIMEOUT(queue->rowOf(job) >= 0, 15000);
        window.queueFeed()->reload(); // the snapshot carries owner_name
        const QString expected = QStringLiteral("User %1").arg(kWithAvatar);
        QTRY_COMPARE_WITH_TIMEOUT(
            queue->index(queue->rowOf(job), admin::QueueModel::ColOwner).data().toString(), expected, 15000);
        const QModelIndex owner = queue->index(queue->rowOf(job), admin::QueueModel::ColOwner);
        QVERIFY(owner.data(Qt::ToolTipRole).toString().contains(kWithAvatar));
        QCOMPARE(owner.data(admin::QueueModel::OwnerIdRole).toString(), kWithAvatar);
        QTRY_VERIFY_WITH_TIMEOUT(!queue->job(job)->isActive(), 30000);
    }

    void screenshotOfTheRequestsTab() {
        QCOMPARE(login(QStringLiteral("710000000000000003")), 403);
        QTemporaryDir dir;
        const QString file = dir.filePath("requests.png");
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", m_settingsDir.path());
        env.insert("NAVIGATOR_ADMIN_AVATAR_CDN", ""); // no network in tests: initials
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(test::binPath("navigator-admin"),
                      {"--server", m_nav->url({}).toString(), "--realtime", m_nav->rtUrl().toString(),
                       "--token", m_nav->adminToken(), "--screenshot", file, "--tab", "requests", "--size",
                       "900x600"});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAll().constData());
        const QImage image(file);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size() / image.devicePixelRatio(), QSize(900, 600));
    }
};

int main(int argc, char **argv) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("NavigatorTests"));
    AdminRequestsTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_adminrequests.moc"
