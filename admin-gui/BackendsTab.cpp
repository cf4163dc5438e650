#include "admin-gui/BackendsTab.h"

#include "admin-gui/BackendsFeed.h"
#include "admin-gui/BackendsModel.h"
#include "admin-gui/PreviewPane.h"
#include "admin-gui/ProgressDelegate.h"
#include "admin-gui/ServerConnection.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace nav::admin {

BackendsTab::BackendsTab(ServerConnection *connection, BackendsModel *model, BackendsFeed *feed,
                         QueueModel *queue, QWidget *parent)
    : QWidget(parent), m_model(model), m_feed(feed), m_table(new QTableView(this)),
      m_preview(new PreviewPane(connection->api(), queue, this)),
      m_pause(new QPushButton(QStringLiteral("&Pause"), this)),
      m_resume(new QPushButton(QStringLiteral("R&esume"), this)),
      m_drain(new QPushButton(QStringLiteral("&Drain"), this)), m_message(new QLabel(this)) {
    m_table->setObjectName(QStringLiteral("backendsTable"));
    m_table->setModel(model);
    m_table->setItemDelegateForColumn(BackendsModel::ColProgress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(BackendsModel::ColError, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(BackendsModel::ColProgress, QHeaderView::Fixed);
    m_table->setColumnWidth(BackendsModel::ColProgress, 150);
    m_table->setWordWrap(false);
    m_pause->setToolTip(QStringLiteral("Give this backend no new jobs; the running one finishes"));
    m_resume->setToolTip(QStringLiteral("Let this backend take jobs again"));
    m_drain->setToolTip(QStringLiteral("Finish the running job, then pause"));
    m_message->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_drain);
    buttons->addStretch(1);
    buttons->addWidget(refresh);
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_message);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_pause, &QPushButton::clicked, this, [this] { control(QStringLiteral("pause")); });
    connect(m_resume, &QPushButton::clicked, this, [this] { control(QStringLiteral("resume")); });
    connect(m_drain, &QPushButton::clicked, this, [this] { control(QStringLiteral("drain")); });
    connect(refresh, &QPushButton::clicked, feed, &BackendsFeed::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &BackendsTab::updateActions);
    connect(model, &QAbstractItemModel::dataChanged, this, &BackendsTab::updateActions);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (selectedBackend().isEmpty() && m_model->rowCount() > 0)
            m_table->selectRow(0);
    });
    connect(feed, &BackendsFeed::failed, m_message, &QLabel::setText);
    updateActions();
}

QString BackendsTab::selectedBackend() const {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(BackendsModel::NameRole).toString();
}

bool BackendsTab::selectBackend(const QString &name) {
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    m_table->selectRow(row);
    return true;
}

void BackendsTab::updateActions() {
    const QString name = selectedBackend();
    const QString state = m_model->state(name);
    m_pause->setEnabled(!name.isEmpty() && state != QLatin1String("paused"));
    m_resume->setEnabled(state == QLatin1String("paused") || state == QLatin1String("draining"));
    m_drain->setEnabled(!name.isEmpty() && state != QLatin1String("paused") &&
                        state != QLatin1String("draining"));
    // The preview follows the selected backend's running job; an idle backend keeps showing its last one.
    const int row = m_model->rowOf(name);
    const QString job =
        row < 0 ? QString() : m_model->index(row, 0).data(BackendsModel::RunningJobRole).toString();
    if (!job.isEmpty())
        m_lastJob.insert(name, job);
    const QString shown = m_lastJob.value(name);
    if (!shown.isEmpty() && shown != m_preview->shownJob())
        m_preview->setSelectedJob(shown);
}

void BackendsTab::control(const QString &action) {
    const QString name = selectedBackend();
    if (name.isEmpty())
        return;
    m_message->setText(QStringLiteral("%1 %2…").arg(action, name));
    m_feed->control(name, action, [this, name, action](bool ok, const QString &stateOrError) {
        m_message->setText(ok ? QStringLiteral("%1: %2").arg(name, stateOrError)
                              : QStringLiteral("%1 %2 failed: %3").arg(action, name, stateOrError));
        updateActions();
    });
}

QString BackendsTab::message() const {
    return m_message->text();
}

} // namespace nav::admin
