#include "admin-gui/QueueTab.h"

#include "admin-gui/CopyId.h"
#include "admin-gui/PreviewPane.h"
#include "admin-gui/ProgressDelegate.h"
#include "admin-gui/QueueFeed.h"
#include "admin-gui/QueueModel.h"
#include "admin-gui/ServerConnection.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace nav::admin {

QueueTab::QueueTab(ServerConnection *connection, QueueModel *model, QueueFeed *feed, QWidget *parent)
    : QWidget(parent), m_connection(connection), m_model(model), m_feed(feed),
      m_proxy(new QSortFilterProxyModel(this)), m_table(new QTableView(this)),
      m_preview(new PreviewPane(connection->api(), model, this)),
      m_cancel(new QPushButton(QStringLiteral("Cancel / remove"), this)),
      m_copyId(new QPushButton(QStringLiteral("Copy id"), this)),
      m_copyPrompt(new QPushButton(QStringLiteral("Copy prompt"), this)), m_message(new QLabel(this)) {
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(QueueModel::SortKeyRole);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->sort(0);

    m_table->setModel(m_proxy);
    m_table->setItemDelegateForColumn(QueueModel::ColProgress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(QueueModel::ColPrompt, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(QueueModel::ColProgress, QHeaderView::Fixed);
    m_table->setColumnWidth(QueueModel::ColProgress, 150);
    m_table->setWordWrap(false);
    installCopyId(m_table, QueueModel::OwnerIdRole, "Copy owner id");
    m_message->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_copyId);
    buttons->addWidget(m_copyPrompt);
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

    connect(m_cancel, &QPushButton::clicked, this, [this] { cancelSelected(true); });
    connect(m_copyId, &QPushButton::clicked, this, &QueueTab::copySelectedId);
    connect(m_copyPrompt, &QPushButton::clicked, this, &QueueTab::copySelectedPrompt);
    connect(refresh, &QPushButton::clicked, feed, &QueueFeed::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        m_preview->setSelectedJob(selectedJobId());
        updateActions();
    });
    connect(model, &QueueModel::jobUpdated, this, &QueueTab::updateActions);
    connect(feed, &QueueFeed::failed, this, [this](const QString &error) {
        setMessage(m_feed->unsupported() ? error : QStringLiteral("Queue not updated: ") + error);
    });
    connect(feed, &QueueFeed::reloaded, this, [this] {
        if (m_message->property("queueError").toBool())
            setMessage({});
    });
    updateActions();
}

QString QueueTab::selectedJobId() const {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(QueueModel::JobIdRole).toString();
}

bool QueueTab::selectJob(const QString &jobId) {
    const int row = m_model->rowOf(jobId);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void QueueTab::updateActions() {
    const QString id = selectedJobId();
    const std::optional<QueueJob> job = id.isEmpty() ? std::nullopt : m_model->job(id);
    m_cancel->setEnabled(job && job->isActive());
    m_cancel->setText(job && job->state == QueueJob::State::Running ? QStringLiteral("Interrupt")
                                                                    : QStringLiteral("Cancel / remove"));
    m_copyId->setEnabled(job.has_value());
    m_copyPrompt->setEnabled(job.has_value());
}

void QueueTab::cancelSelected(bool confirm) {
    const QString id = selectedJobId();
    const std::optional<QueueJob> job = id.isEmpty() ? std::nullopt : m_model->job(id);
    if (!job || !job->isActive())
        return;
    if (confirm) {
        const QString what = job->state == QueueJob::State::Running
                                 ? QStringLiteral("Interrupt the running job")
                                 : QStringLiteral("Remove the queued job");
        if (QMessageBox::question(this, QStringLiteral("Cancel job"),
                                  QStringLiteral("%1 %2 of %3?\n\n%4")
                                      .arg(what, job->jobId, job->ownerLabel(), job->prompt.left(200))) !=
            QMessageBox::Yes)
            return;
    }
    m_cancel->setEnabled(false);
    setMessage(QStringLiteral("Cancelling %1…").arg(id));
    m_feed->cancel(id, [this, id](bool ok, const QString &statusOrError) {
        setMessage(ok ? QStringLiteral("Job %1: %2").arg(id, statusOrError)
                      : QStringLiteral("Cancel %1 failed: %2").arg(id, statusOrError));
        updateActions();
    });
}

void QueueTab::copySelectedId() {
    const QString id = selectedJobId();
    if (!id.isEmpty())
        QGuiApplication::clipboard()->setText(id);
}

void QueueTab::copySelectedPrompt() {
    const std::optional<QueueJob> job = m_model->job(selectedJobId());
    if (job)
        QGuiApplication::clipboard()->setText(job->prompt);
}

QString QueueTab::message() const {
    return m_message->text();
}

void QueueTab::setMessage(const QString &text) {
    m_message->setText(text);
    m_message->setProperty("queueError", text.startsWith(QLatin1String("Queue not updated")));
}

} // namespace nav::admin
