#include "admin-gui/StatusTab.h"

#include "admin-gui/BackendsModel.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/StatsFeed.h"
#include "admin-gui/UsersModel.h"
#include "shared/api/Status.h"

#include <QDateTimeAxis>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineSeries>
#include <QMap>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtCharts/QChartView>

namespace nav::admin {

namespace {

QChart *newChart(const QString &title) {
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

// Replaces the chart's series with one line per (name, colour, values) over the points' minutes.
void plot(QChart *chart, const QList<ActivityPoint> &points,
          const QList<std::tuple<QString, QColor, std::function<int(const ActivityPoint &)>>> &lines) {
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    auto *time = new QDateTimeAxis;
    time->setFormat(QStringLiteral("HH:mm"));
    time->setTickCount(7);
    if (!points.isEmpty())
        time->setRange(points.first().minute.toLocalTime(), points.last().minute.toLocalTime());
    auto *count = new QValueAxis;
    count->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(count, Qt::AlignLeft);
    int most = 1;
    for (const auto &[name, colour, value] : lines) {
        auto *series = new QLineSeries;
        series->setName(name);
        series->setColor(colour);
        for (const ActivityPoint &point : points) {
            series->append(qreal(point.minute.toMSecsSinceEpoch()), value(point));
            most = std::max(most, value(point));
        }
        chart->addSeries(series);
        series->attachAxis(time);
        series->attachAxis(count);
    }
    count->setRange(0, most);
}

} // namespace

StatusTab::StatusTab(ServerConnection *connection, StatsFeed *stats, BackendsModel *backends, QWidget *parent)
    : QWidget(parent), m_connection(connection), m_server(new QLabel(this)),
      m_connectionState(new QLabel(this)), m_realtime(new QLabel(QStringLiteral("not connected"), this)),
      m_version(new QLabel(this)), m_uptime(new QLabel(this)), m_queue(new QLabel(this)),
      m_clients(new QLabel(this)), m_caller(new QLabel(this)), m_database(new QLabel(this)),
      m_lastHour(new QLabel(this)), m_backendSummary(new QLabel(this)), m_backendsModel(backends),
      m_backends(new QTreeWidget(this)), m_stats(stats) {
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Server:"), m_server);
    form->addRow(QStringLiteral("Connection:"), m_connectionState);
    form->addRow(QStringLiteral("Realtime:"), m_realtime);
    form->addRow(QStringLiteral("Version:"), m_version);
    form->addRow(QStringLiteral("Uptime:"), m_uptime);
    form->addRow(QStringLiteral("Queue:"), m_queue);
    form->addRow(QStringLiteral("Connected clients:"), m_clients);
    form->addRow(QStringLiteral("Database:"), m_database);
    form->addRow(QStringLiteral("Last hour:"), m_lastHour);
    form->addRow(QStringLiteral("Backends:"), m_backendSummary);
    form->addRow(QStringLiteral("Signed in as:"), m_caller);
    for (QLabel *label : {m_server, m_connectionState, m_realtime, m_version, m_uptime, m_queue, m_clients,
                          m_caller, m_database, m_lastHour, m_backendSummary})
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_backends->setHeaderLabels({QStringLiteral("Backend"), QStringLiteral("Reachable"),
                                 QStringLiteral("Loaded checkpoint"), QStringLiteral("State")});
    m_backends->setRootIsDecorated(false);
    m_backends->setMinimumHeight(60);
    m_backends->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    connect(refresh, &QPushButton::clicked, connection, &ServerConnection::refreshStatus);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(
        new QLabel(QStringLiteral("Forge used for lookups (models, samplers, png-info):"), this));
    layout->addWidget(m_backends, 1);
    if (stats) {
        m_queueChart = newChart(QStringLiteral("Queue length, last hour"));
        m_throughputChart = newChart(QStringLiteral("Jobs per minute, last hour"));
        auto *charts = new QHBoxLayout;
        for (QChart *chart : {m_queueChart, m_throughputChart}) {
            auto *view = new QChartView(chart, this);
            view->setRenderHint(QPainter::Antialiasing);
            view->setMinimumHeight(150);
            charts->addWidget(view);
        }
        layout->addLayout(charts, 2);
        connect(stats, &StatsFeed::activityReloaded, this, &StatusTab::showActivity);
        connect(refresh, &QPushButton::clicked, stats, &StatsFeed::reloadActivity);
    }
    layout->addWidget(refresh, 0, Qt::AlignRight);

    connect(connection, &ServerConnection::statusUpdated, this, &StatusTab::showStatus);
    if (backends) {
        connect(backends, &QAbstractItemModel::rowsInserted, this, &StatusTab::showBackendSummary);
        connect(backends, &QAbstractItemModel::rowsRemoved, this, &StatusTab::showBackendSummary);
        connect(backends, &QAbstractItemModel::modelReset, this, &StatusTab::showBackendSummary);
        connect(backends, &BackendsModel::stateChanged, this, &StatusTab::showBackendSummary);
    }
    connect(connection, &ServerConnection::stateChanged, this, &StatusTab::showConnection);
    showConnection();
}

QString StatusTab::formatUptime(qint64 seconds) {
    if (seconds < 0)
        return {};
    const qint64 days = seconds / 86400;
    const qint64 hours = seconds % 86400 / 3600;
    const qint64 minutes = seconds % 3600 / 60;
    if (days > 0)
        return QStringLiteral("%1 d %2 h %3 min").arg(days).arg(hours).arg(minutes);
    if (hours > 0)
        return QStringLiteral("%1 h %2 min").arg(hours).arg(minutes);
    return QStringLiteral("%1 min %2 s").arg(minutes).arg(seconds % 60);
}

// "3: 2 up, 1 paused" from the Backends tab's live model.
void StatusTab::showBackendSummary() {
    QMap<QString, int> byState;
    for (const QString &name : m_backendsModel->names())
        ++byState[m_backendsModel->state(name)];
    QStringList parts;
    for (auto it = byState.begin(); it != byState.end(); ++it)
        parts << QStringLiteral("%1 %2")
                     .arg(it.value())
                     .arg(it.key() == QLatin1String("down") ? QStringLiteral("DOWN") : it.key());
    m_backendSummary->setText(parts.isEmpty() ? QStringLiteral("none listed")
                                              : QStringLiteral("%1: %2")
                                                    .arg(m_backendsModel->rowCount())
                                                    .arg(parts.join(QStringLiteral(", "))));
}

void StatusTab::showActivity() {
    const QList<ActivityPoint> points = m_stats->activity();
    int ended = 0, failed = 0, submitted = 0, peak = 0;
    for (const ActivityPoint &point : points) {
        ended += point.ended;
        failed += point.failed;
        submitted += point.submitted;
        peak = std::max(peak, point.queued);
    }
    m_lastHour->setText(QStringLiteral("%1 submitted, %2 ended (%3 failed), longest queue %4")
                            .arg(submitted)
                            .arg(ended)
                            .arg(failed)
                            .arg(peak));
    plot(m_queueChart, points,
         {{QStringLiteral("waiting"), QColor(0x20, 0x60, 0xb0),
           [](const ActivityPoint &p) { return p.queued; }},
          {QStringLiteral("running"), QColor(0x20, 0x90, 0x40),
           [](const ActivityPoint &p) { return p.running; }}});
    plot(m_throughputChart, points,
         {{QStringLiteral("ended"), QColor(0x20, 0x60, 0xb0), [](const ActivityPoint &p) { return p.ended; }},
          {QStringLiteral("failed"), QColor(0xb0, 0x20, 0x20),
           [](const ActivityPoint &p) { return p.failed; }}});
}

void StatusTab::setRealtimeState(const QString &text) {
    m_realtime->setText(text);
}

QString StatusTab::fieldText(const QString &name) const {
    const QLabel *label = name == QLatin1String("version")    ? m_version
                          : name == QLatin1String("uptime")   ? m_uptime
                          : name == QLatin1String("queue")    ? m_queue
                          : name == QLatin1String("clients")  ? m_clients
                          : name == QLatin1String("caller")   ? m_caller
                          : name == QLatin1String("database") ? m_database
                          : name == QLatin1String("lasthour") ? m_lastHour
                          : name == QLatin1String("backends") ? m_backendSummary
                          : name == QLatin1String("realtime") ? m_realtime
                                                              : m_connectionState;
    return label->text();
}

void StatusTab::showConnection() {
    m_server->setText(m_connection->settings().httpUrl.toString());
    m_connectionState->setText(m_connection->stateText());
}

void StatusTab::showStatus(const QJsonObject &answer) {
    showConnection();
    const api::Status status = api::Status::fromJson(answer);
    m_version->setText(status.version);
    m_uptime->setText(formatUptime(status.uptimeSeconds));
    m_queue->setText(status.queueDepth ? QStringLiteral("%1 waiting or running (%2 running)")
                                             .arg(*status.queueDepth)
                                             .arg(status.runningJobs.value_or(0))
                                       : QStringLiteral("unknown"));
    m_clients->setText(status.connectedClients ? QString::number(*status.connectedClients)
                                               : QStringLiteral("unknown"));
    if (!status.database || status.database->driver.isEmpty()) {
        m_database->setText(QStringLiteral("unknown (this server does not report it)"));
    } else {
        const api::Status::Database &database = *status.database;
        m_database->setText(QStringLiteral("%1 %2%3").arg(
            database.driver,
            database.version.isEmpty() ? QStringLiteral("(version not read yet)") : database.version,
            database.uptimeSeconds ? QStringLiteral(", up ") + formatUptime(*database.uptimeSeconds)
                                   : QString()));
    }
    const Caller caller = m_connection->caller();
    m_caller->setText(
        caller.superuser
            ? QStringLiteral("superuser token (SUPERUSER_ADMIN_TOKEN)")
            : QStringLiteral("%1, role %2").arg(caller.discordId, UsersModel::roleName(caller.role)));
    m_backends->clear();
    for (const api::Status::Backend &backend : status.backends) {
        QString state = backend.state;
        if (!backend.error.isEmpty())
            state = state.isEmpty() ? backend.error
                                    : state + QStringLiteral(" (") + backend.error + QLatin1Char(')');
        auto *item = new QTreeWidgetItem(
            m_backends, {backend.url, backend.reachable ? QStringLiteral("yes") : QStringLiteral("no"),
                         backend.checkpoint, state});
        if (!backend.reachable)
            item->setForeground(1, QColor(0xb0, 0x20, 0x20));
    }
}

} // namespace nav::admin
