#include "admin-gui/MainWindow.h"

#include "admin-gui/Avatars.h"
#include "admin-gui/BackendsFeed.h"
#include "admin-gui/BackendsModel.h"
#include "admin-gui/BackendsTab.h"
#include "admin-gui/ConnectDialog.h"
#include "admin-gui/HistoryFeed.h"
#include "admin-gui/HistoryModel.h"
#include "admin-gui/HistoryTab.h"
#include "admin-gui/QueueFeed.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/QueueTab.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/RequestsFeed.h"
#include "admin-gui/RequestsModel.h"
#include "admin-gui/RequestsTab.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/StatsFeed.h"
#include "admin-gui/StatusTab.h"
#include "admin-gui/UsageModel.h"
#include "admin-gui/UsageTab.h"
#include "admin-gui/UsersFeed.h"
#include "admin-gui/UsersModel.h"
#include "admin-gui/UsersTab.h"
#include "shared/api/Backend.h"
#include "shared/api/Status.h"

#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonValue>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>

namespace nav::admin {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_connection(new ServerConnection(this)), m_queueModel(new QueueModel(this)),
      m_queueFeed(new QueueFeed(m_connection, m_queueModel, this)), m_usersModel(new UsersModel(this)),
      m_usersFeed(new UsersFeed(m_connection, m_usersModel, this)), m_realtime(new RealtimeLink(this)),
      m_avatars(new Avatars(this)), m_requestsModel(new RequestsModel(m_avatars, this)),
      m_requestsFeed(new RequestsFeed(m_connection, m_requestsModel, this)), m_tabs(new QTabWidget(this)),
      m_requestsTab(new RequestsTab(m_connection, m_requestsModel, m_requestsFeed, this)),
      m_backendsModel(new BackendsModel(m_queueModel, this)),
      m_backendsFeed(new BackendsFeed(m_connection, m_backendsModel, this)),
      m_historyModel(new HistoryModel(this)),
      m_historyFeed(new HistoryFeed(m_connection, m_historyModel, this)), m_usageModel(new UsageModel(this)),
      m_statsFeed(new StatsFeed(m_connection, m_usageModel, this)),
      m_backendsTab(new BackendsTab(m_connection, m_backendsModel, m_backendsFeed, m_queueModel, this)),
      m_historyTab(new HistoryTab(m_historyModel, m_historyFeed, this)),
      m_usageTab(new UsageTab(m_usageModel, m_statsFeed, this)), m_notifyFailures(nullptr),
      m_queueTab(new QueueTab(m_connection, m_queueModel, m_queueFeed, this)),
      m_usersTab(new UsersTab(m_connection, m_usersModel, m_usersFeed, this)),
      m_statusTab(new StatusTab(m_connection, m_statsFeed, m_backendsModel, this)),
      m_stateLabel(new QLabel(this)), m_versionLabel(new QLabel(this)), m_queueLabel(new QLabel(this)),
      m_backendLabel(new QLabel(this)), m_realtimeLabel(new QLabel(this)) {
    setWindowTitle(QStringLiteral("Navigator admin"));
    m_tabs->addTab(m_queueTab, QStringLiteral("Queue"));
    m_tabs->addTab(m_backendsTab, QStringLiteral("Backends"));
    m_tabs->addTab(m_historyTab, QStringLiteral("History"));
    m_tabs->addTab(m_usageTab, QStringLiteral("Usage"));
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
    m_notifyFailures = server->addAction(QStringLiteral("&Notify when a job fails or a backend goes down"));
    m_notifyFailures->setCheckable(true);
    m_notifyFailures->setChecked(QSettings().value(QStringLiteral("window/notify_failures"), false).toBool());
    connect(m_notifyFailures, &QAction::toggled, this, &MainWindow::setFailureNotifications);
    server->addSeparator();
    server->addAction(QStringLiteral("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    QMenu *jobs = menuBar()->addMenu(QStringLiteral("&Jobs"));
    jobs->addAction(QStringLiteral("&Interrupt / cancel selected"), QKeySequence(QStringLiteral("Ctrl+I")),
                    this, [this] {
                        showTab(QStringLiteral("queue"));
                        m_queueTab->cancelSelected(true);
                    });
    jobs->addAction(QStringLiteral("&Promote selected to the front"), QKeySequence(QStringLiteral("Ctrl+P")),
                    this, [this] {
                        showTab(QStringLiteral("queue"));
                        m_queueTab->promoteSelected();
                    });
    jobs->addAction(QStringLiteral("&Refresh everything"), QKeySequence::Refresh, this,
                    &MainWindow::refreshAll);

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
    connect(m_realtime, &RealtimeLink::event, m_backendsFeed, &BackendsFeed::handleEvent);
    connect(m_realtime, &RealtimeLink::event, m_historyFeed, &HistoryFeed::handleEvent);
    connect(m_realtime, &RealtimeLink::event, m_statsFeed, &StatsFeed::handleEvent);
    connect(m_realtime, &RealtimeLink::event, this, [this](const QString &name, const QJsonObject &payload) {
        if (name != QLatin1String("task-failed"))
            return;
        const QString id = payload.value(QStringLiteral("job_id")).toString();
        noticeFailure(QStringLiteral("Job %1 failed").arg(id),
                      QueueJob::errorText(payload.value(QStringLiteral("error"))), QStringLiteral("history"));
    });
    connect(m_backendsModel, &BackendsModel::stateChanged, this,
            [this](const QString &name, const QString &previous, const QString &state) {
                if (state == QLatin1String("down") && !previous.isEmpty())
                    noticeFailure(QStringLiteral("Backend %1 is down").arg(name),
                                  api::Backend::fromJson(m_backendsModel->backend(name)).lastError,
                                  QStringLiteral("backends"));
            });
    connect(m_backendsFeed, &BackendsFeed::reloaded, this, &MainWindow::checkLoaded);
    connect(m_backendsFeed, &BackendsFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_historyFeed, &HistoryFeed::reloaded, this, &MainWindow::checkLoaded);
    connect(m_historyFeed, &HistoryFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_statsFeed, &StatsFeed::usageReloaded, this, &MainWindow::checkLoaded);
    connect(m_statsFeed, &StatsFeed::activityReloaded, this, &MainWindow::checkLoaded);
    connect(m_statsFeed, &StatsFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_requestsFeed, &RequestsFeed::reloaded, this, &MainWindow::checkLoaded);
    connect(m_requestsFeed, &RequestsFeed::failed, this, &MainWindow::checkLoaded);
    connect(m_requestsModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateRequestsTitle);
    connect(m_requestsModel, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateRequestsTitle);
    connect(m_requestsModel, &QAbstractItemModel::modelReset, this, &MainWindow::updateRequestsTitle);
    connect(m_requestsTab, &RequestsTab::notify, this, [this](const QString &title, const QString &text) {
        showNotification(title, text, QStringLiteral("requests"));
    });
    // Approving a request adds a user.
    connect(m_requestsFeed, &RequestsFeed::decided, m_usersFeed, &UsersFeed::reload);
    connect(m_realtime, &RealtimeLink::stateChanged, this, [this] {
        m_queueFeed->setLive(m_realtime->isLive());
        m_statusTab->setRealtimeState(m_realtime->stateText());
        updateStatusBar();
    });
    resize(1200, 720);
    restoreLayout();
    updateStatusBar();
}

MainWindow::~MainWindow() = default;

QStringList MainWindow::tabNames() {
    return {QStringLiteral("queue"), QStringLiteral("backends"), QStringLiteral("history"),
            QStringLiteral("usage"), QStringLiteral("requests"), QStringLiteral("users"),
            QStringLiteral("status")};
}

QList<QTableView *> MainWindow::tables() const {
    return {m_queueTab->table(), m_backendsTab->table(), m_historyTab->table(), m_usageTab->table()};
}

// Geometry, the current tab and each table's column widths and order, as the admin left them.
void MainWindow::restoreLayout() {
    QSettings settings;
    if (settings.contains(QStringLiteral("window/geometry")))
        restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    showTab(settings.value(QStringLiteral("window/tab"), QStringLiteral("queue")).toString());
    for (QTableView *table : tables()) {
        const QByteArray state =
            settings.value(QStringLiteral("columns/") + table->objectName()).toByteArray();
        if (!state.isEmpty())
            table->horizontalHeader()->restoreState(state);
    }
}

void MainWindow::saveLayout() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/tab"), tabNames().value(m_tabs->currentIndex()));
    for (QTableView *table : tables())
        settings.setValue(QStringLiteral("columns/") + table->objectName(),
                          table->horizontalHeader()->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event) {
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::refreshAll() {
    m_connection->refreshStatus();
    m_queueFeed->reload();
    m_backendsFeed->reload();
    m_historyFeed->reload();
    m_statsFeed->reloadUsage();
    m_statsFeed->reloadActivity();
    m_usersFeed->reload();
    m_requestsFeed->reload();
}

void MainWindow::setFailureNotifications(bool on) {
    QSettings().setValue(QStringLiteral("window/notify_failures"), on);
    if (m_notifyFailures->isChecked() != on)
        m_notifyFailures->setChecked(on);
}

bool MainWindow::failureNotifications() const {
    return m_notifyFailures->isChecked();
}

void MainWindow::noticeFailure(const QString &title, const QString &text, const QString &tab) {
    if (!m_notifyFailures->isChecked())
        return;
    emit failureNoticed(title, text);
    showNotification(title, text, tab);
}

void MainWindow::connectTo(const ConnectionSettings &settings) {
    m_loadedSignalled = false;
    m_realtime->close();
    m_queueModel->clear();
    m_usersModel->clear();
    m_requestsModel->clear();
    m_backendsModel->clear();
    m_historyModel->clear();
    m_usageModel->clear();
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
    const QList<QWidget *> tabs{m_queueTab,    m_backendsTab, m_historyTab, m_usageTab,
                                m_requestsTab, m_usersTab,    m_statusTab};
    const int index = int(tabNames().indexOf(name.toLower()));
    if (index < 0)
        return false;
    m_tabs->setCurrentWidget(tabs.at(index));
    return true;
}

bool MainWindow::isDataLoaded() const {
    return m_connection->state() == ServerConnection::State::Connected && m_queueFeed->loaded() &&
           m_usersFeed->loaded() && m_requestsFeed->loaded() && m_backendsFeed->loaded() &&
           m_historyFeed->loaded() && m_statsFeed->usageLoaded() && m_statsFeed->activityLoaded();
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

void MainWindow::showNotification(const QString &title, const QString &text, const QString &tab) {
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return; // no tray (offscreen, some desktops): the tab title and its message show it instead
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            showTab(m_notifiedTab);
            showNormal();
            raise();
            activateWindow();
        });
        m_tray->show();
    }
    m_notifiedTab = tab;
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
    const QJsonObject answer = m_connection->status();
    const api::Status status = api::Status::fromJson(answer);
    m_versionLabel->setText(status.version.isEmpty() ? QString()
                                                     : QStringLiteral("Navigator %1").arg(status.version));
    // The live table is fresher than the status poll once it is loaded.
    if (m_queueFeed->loaded() && !m_queueFeed->unsupported())
        m_queueLabel->setText(QStringLiteral("Queue: %1").arg(m_queueModel->activeCount()));
    else if (status.queueDepth)
        m_queueLabel->setText(QStringLiteral("Queue: %1").arg(*status.queueDepth));
    else
        m_queueLabel->setText(answer.isEmpty() ? QString() : QStringLiteral("Queue: unknown"));
    m_realtimeLabel->setText(m_realtime->isLive()        ? QStringLiteral("Events: live")
                             : state == State::Connected ? QStringLiteral("Events: polling")
                                                         : QString());
    const QList<api::Status::Backend> &backends = status.backends;
    int reachable = 0;
    for (const api::Status::Backend &backend : backends)
        reachable += backend.reachable ? 1 : 0;
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
