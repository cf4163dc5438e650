#include "admin-gui/MainWindow.h"

#include "admin-gui/Avatars.h"
#include "admin-gui/ConnectDialog.h"
#include "admin-gui/QueueFeed.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/QueueTab.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/RequestsFeed.h"
#include "admin-gui/RequestsModel.h"
#include "admin-gui/RequestsTab.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/StatusTab.h"
#include "admin-gui/UsersFeed.h"
#include "admin-gui/UsersModel.h"
#include "admin-gui/UsersTab.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonValue>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>

namespace nav::admin {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_connection(new ServerConnection(this)), m_queueModel(new QueueModel(this)),
      m_queueFeed(new QueueFeed(m_connection, m_queueModel, this)), m_usersModel(new UsersModel(this)),
      m_usersFeed(new UsersFeed(m_connection, m_usersModel, this)), m_realtime(new RealtimeLink(this)),
      m_avatars(new Avatars(this)), m_requestsModel(new RequestsModel(m_avatars, this)),
      m_requestsFeed(new RequestsFeed(m_connection, m_requestsModel, this)), m_tabs(new QTabWidget(this)),
      m_requestsTab(new RequestsTab(m_connection, m_requestsModel, m_requestsFeed, this)),
      m_queueTab(new QueueTab(m_connection, m_queueModel, m_queueFeed, this)),
      m_usersTab(new UsersTab(m_connection, m_usersModel, m_usersFeed, this)),
      m_statusTab(new StatusTab(m_connection, this)), m_stateLabel(new QLabel(this)),
      m_versionLabel(new QLabel(this)), m_queueLabel(new QLabel(this)), m_backendLabel(new QLabel(this)),
      m_realtimeLabel(new QLabel(this)) {
    setWindowTitle(QStringLiteral("Navigator admin"));
    m_tabs->addTab(m_queueTab, QStringLiteral("Queue"));
    m_tabs->addTab(m_requestsTab, QStringLiteral("Requests"));
    m_tabs->addTab(m_usersTab, QStringLiteral("Users"));
    m_tabs->addTab(m_statusTab, QStringLiteral("Status"));
    setCentralWidget(m_tabs);

    statusBar()->addWidget(m_stateLabel, 1);
    statusBar()->addPermanentWidget(m_versionLabel);
    statusBar()->addPermanentWidget(m_queueLabel);
    statusBar()->addPermanentWidget(m_backendLabel);
    statusBar()->addPermanentWidget(m_realtimeLabel);

    QMenu *server = menuBar()->addMenu(QStringLiteral("&Server"));
    server->addAction(QStringLiteral("&Connect…"), this, [this] { askToConnect(m_connection->settings()); });
    server->addAction(QStringLiteral("&Reconnect now"), this,
                      [this] { m_connection->open(m_connection->settings()); });
    server->addSeparator();
    server->addAction(QStringLiteral("&Quit"), qApp, &QApplication::quit);

    connect(m_connection, &ServerConnection::stateChanged, this, &MainWindow::updateStatusBar);
    connect(m_connection, &ServerConnection::statusUpdated, this, &MainWindow::updateStatusBar);
    connect(m_queueModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatusBar);
    connect(m_queueModel, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateStatusBar);
    connect(m_queueModel, &QueueModel::jobUpdated, this, &MainWindow::updateStatusBar);
    connect(m_queueFeed, &QueueFeed::reloaded, this, &MainWindow::checkLoaded);
    connect(m_queueFeed, &QueueFeed::reloaded, this, &MainWindow::updateStatusBar);
    connect(m_usersFeed, &UsersFeed::reloaded, this, &MainWindow::checkLoaded);
    connect(m_usersFeed, &UsersFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_queueFeed, &QueueFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_connection, &ServerConnection::statusUpdated, this, &MainWindow::checkLoaded);
    // Live events: the admin socket opens once the token is known to work, and is retried after every
    // reconnect if the realtime server refused it.
    connect(m_connection, &ServerConnection::connected, this, [this] {
        if (m_realtime->state() == RealtimeLink::State::Off ||
            m_realtime->state() == RealtimeLink::State::Refused)
            m_realtime->open(m_connection->settings().realtimeUrl, m_connection->settings().token);
    });
    connect(m_connection, &ServerConnection::stateChanged, this, [this](ServerConnection::State state) {
        if (state == ServerConnection::State::Failed || state == ServerConnection::State::Disconnected)
            m_realtime->close();
    });
    connect(m_realtime, &RealtimeLink::event, m_queueFeed, &QueueFeed::handleEvent);
    connect(m_realtime, &RealtimeLink::event, m_requestsFeed, &RequestsFeed::handleEvent);
    connect(m_requestsFeed, &RequestsFeed::reloaded, this, &MainWindow::checkLoaded);
    connect(m_requestsFeed, &RequestsFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_requestsModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateRequestsTitle);
    connect(m_requestsModel, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateRequestsTitle);
    connect(m_requestsModel, &QAbstractItemModel::modelReset, this, &MainWindow::updateRequestsTitle);
    connect(m_requestsTab, &RequestsTab::notify, this, &MainWindow::showNotification);
    // Approving a request adds a user.
    connect(m_requestsFeed, &RequestsFeed::decided, m_usersFeed, &UsersFeed::reload);
    connect(m_realtime, &RealtimeLink::stateChanged, this, [this] {
        m_queueFeed->setLive(m_realtime->isLive());
        m_statusTab->setRealtimeState(m_realtime->stateText());
        updateStatusBar();
    });
    resize(1200, 720);
    updateStatusBar();
}

MainWindow::~MainWindow() = default;

void MainWindow::connectTo(const ConnectionSettings &settings) {
    m_loadedSignalled = false;
    m_realtime->close();
    m_queueModel->clear();
    m_usersModel->clear();
    m_requestsModel->clear();
    setWindowTitle(QStringLiteral("Navigator admin — %1").arg(settings.httpUrl.toString()));
    m_connection->open(settings);
}

bool MainWindow::askToConnect(const ConnectionSettings &initial) {
    ConnectDialog dialog(m_connection, initial, this);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    const ConnectionSettings chosen = dialog.settings();
    QSettings settings;
    chosen.save(settings);
    connectTo(chosen);
    return true;
}

bool MainWindow::showTab(const QString &name) {
    const QString lower = name.toLower();
    QWidget *tab = lower == QLatin1String("queue")      ? static_cast<QWidget *>(m_queueTab)
                   : lower == QLatin1String("requests") ? static_cast<QWidget *>(m_requestsTab)
                   : lower == QLatin1String("users")    ? static_cast<QWidget *>(m_usersTab)
                   : lower == QLatin1String("status")   ? static_cast<QWidget *>(m_statusTab)
                                                        : nullptr;
    if (!tab)
        return false;
    m_tabs->setCurrentWidget(tab);
    return true;
}

bool MainWindow::isDataLoaded() const {
    return m_connection->state() == ServerConnection::State::Connected && m_queueFeed->loaded() &&
           m_usersFeed->loaded() && m_requestsFeed->loaded();
}

void MainWindow::checkLoaded() {
    if (!m_loadedSignalled && isDataLoaded()) {
        m_loadedSignalled = true;
        emit dataLoaded();
    }
}

void MainWindow::updateRequestsTitle() {
    const int pending = m_requestsModel->rowCount();
    m_tabs->setTabText(m_tabs->indexOf(m_requestsTab), pending > 0
                                                           ? QStringLiteral("Requests (%1)").arg(pending)
                                                           : QStringLiteral("Requests"));
}

void MainWindow::showNotification(const QString &title, const QString &text) {
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return; // no tray (offscreen, some desktops): the tab title and its message show it instead
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            showTab(QStringLiteral("requests"));
            showNormal();
            raise();
            activateWindow();
        });
        m_tray->show();
    }
    m_tray->showMessage(title, text);
}

QString MainWindow::statusBarText() const {
    return QStringList{m_stateLabel->text(), m_versionLabel->text(), m_queueLabel->text(),
                       m_backendLabel->text(), m_realtimeLabel->text()}
        .join(QStringLiteral(" | "));
}

void MainWindow::updateStatusBar() {
    using State = ServerConnection::State;
    const State state = m_connection->state();
    m_stateLabel->setText(m_connection->stateText());
    const char *colour = state == State::Connected      ? "#207020"
                         : state == State::Reconnecting ? "#b07000"
                         : state == State::Failed       ? "#b02020"
                                                        : "#606060";
    m_stateLabel->setStyleSheet(QStringLiteral("color: %1").arg(QLatin1String(colour)));
    const QJsonObject status = m_connection->status();
    const QString version = status.value(QStringLiteral("version")).toString();
    m_versionLabel->setText(version.isEmpty() ? QString() : QStringLiteral("Navigator %1").arg(version));
    // The live table is fresher than the status poll once it is loaded.
    const QJsonValue serverDepth = status.value(QStringLiteral("queue_depth"));
    if (m_queueFeed->loaded() && !m_queueFeed->unsupported())
        m_queueLabel->setText(QStringLiteral("Queue: %1").arg(m_queueModel->activeCount()));
    else if (serverDepth.isDouble())
        m_queueLabel->setText(QStringLiteral("Queue: %1").arg(serverDepth.toInt()));
    else
        m_queueLabel->setText(status.isEmpty() ? QString() : QStringLiteral("Queue: unknown"));
    m_realtimeLabel->setText(m_realtime->isLive()        ? QStringLiteral("Events: live")
                             : state == State::Connected ? QStringLiteral("Events: polling")
                                                         : QString());
    const QJsonArray backends = status.value(QStringLiteral("backends")).toArray();
    int reachable = 0;
    for (const QJsonValue &backend : backends)
        reachable += backend.toObject().value(QStringLiteral("reachable")).toBool() ? 1 : 0;
    if (backends.isEmpty())
        m_backendLabel->setText(QStringLiteral("Backend: unknown"));
    else if (reachable == backends.size())
        m_backendLabel->setText(backends.size() == 1 ? QStringLiteral("Backend: up")
                                                     : QStringLiteral("Backends: %1 up").arg(reachable));
    else
        m_backendLabel->setText(
            QStringLiteral("Backends: %1 of %2 DOWN").arg(backends.size() - reachable).arg(backends.size()));
}

} // namespace nav::admin
