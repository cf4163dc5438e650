#include "admin-gui/UsageTab.h"

#include "admin-gui/CopyId.h"
#include "admin-gui/StatsFeed.h"
#include "admin-gui/UsageModel.h"

#include <QComboBox>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtCharts/QChartView>

namespace nav::admin {

UsageTab::UsageTab(UsageModel *model, StatsFeed *feed, QWidget *parent)
    : QWidget(parent), m_model(model), m_feed(feed), m_window(new QComboBox(this)),
      m_table(new QTableView(this)), m_chart(new QChart), m_chartView(new QChartView(m_chart, this)),
      m_totals(new QLabel(this)) {
    m_window->addItem(QStringLiteral("Last 24 hours"), QStringLiteral("24h"));
    m_window->addItem(QStringLiteral("Last 7 days"), QStringLiteral("7d"));
    m_window->addItem(QStringLiteral("Last 30 days"), QStringLiteral("30d"));

    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(UsageModel::SortRole);
    m_table->setObjectName(QStringLiteral("usageTable"));
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(UsageModel::ColJobs, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(UsageModel::ColUser, QHeaderView::Stretch);
    installCopyId(m_table, UsageModel::OwnerIdRole, "Copy user id");

    m_chart->setTitle(QStringLiteral("Jobs per hour"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(240);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(QStringLiteral("Window:"), this));
    top->addWidget(m_window);
    top->addWidget(m_totals, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_chartView);
    // A handful of users fit in a short table; the chart needs the height for readable axes.
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({200, 400});
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(m_window, &QComboBox::currentIndexChanged, this,
            [this] { m_feed->setWindow(m_window->currentData().toString()); });
    connect(feed, &StatsFeed::usageReloaded, this, &UsageTab::redraw);
}

bool UsageTab::setWindow(const QString &window) {
    const int index = m_window->findData(window);
    if (index < 0)
        return false;
    if (index == m_window->currentIndex())
        m_feed->setWindow(window);
    else
        m_window->setCurrentIndex(index); // reloads through currentIndexChanged
    return true;
}

QString UsageTab::totalsText() const {
    return m_totals->text();
}

void UsageTab::redraw() {
    const QJsonObject totals = m_model->totals();
    m_totals->setText(QStringLiteral("%1 jobs by %2 users, %3 failed, %4 of GPU time")
                          .arg(totals.value(QStringLiteral("jobs")).toInt())
                          .arg(m_model->rowCount())
                          .arg(totals.value(QStringLiteral("failed")).toInt())
                          .arg(UsageModel::formatSeconds(
                              static_cast<qint64>(totals.value(QStringLiteral("gpu_seconds")).toDouble()))));
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes())
        m_chart->removeAxis(axis);
    auto *jobs = new QLineSeries;
    jobs->setName(QStringLiteral("jobs"));
    auto *failed = new QLineSeries;
    failed->setName(QStringLiteral("failed"));
    failed->setColor(QColor(0xb0, 0x20, 0x20));
    int most = 1;
    const QList<HourPoint> hours = m_model->perHour();
    for (const HourPoint &hour : hours) {
        const qreal x = qreal(hour.hour.toMSecsSinceEpoch());
        jobs->append(x, hour.jobs);
        failed->append(x, hour.failed);
        most = std::max(most, hour.jobs);
    }
    m_chart->addSeries(jobs);
    m_chart->addSeries(failed);
    auto *time = new QDateTimeAxis;
    time->setFormat(hours.size() > 48 ? QStringLiteral("MM-dd") : QStringLiteral("HH:mm"));
    time->setTickCount(7);
    if (!hours.isEmpty())
        time->setRange(hours.first().hour.toLocalTime(), hours.last().hour.toLocalTime());
    auto *count = new QValueAxis;
    count->setRange(0, most);
    count->setLabelFormat(QStringLiteral("%d"));
    count->setTitleText(QStringLiteral("jobs"));
    m_chart->addAxis(time, Qt::AlignBottom);
    m_chart->addAxis(count, Qt::AlignLeft);
    for (QLineSeries *series : {jobs, failed}) {
        series->attachAxis(time);
        series->attachAxis(count);
    }
}

} // namespace nav::admin
