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
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <memory>

namespace nav::admin {

QueueTab::QueueTab(ServerConnection *connection, QueueModel *model, QueueFeed *feed, QWidget *parent)
    : QWidget(parent), m_connection(connection), m_model(model), m_feed(feed),
      m_proxy(new QSortFilterProxyModel(this)), m_table(new QTableView(this)),
      m_preview(new PreviewPane(connection->api(), model, this)),
      m_cancel(new QPushButton(QStringLiteral("Cancel / remove"), this)),
      m_promote(new QPushButton(QStringLiteral("Promote to front"), this)),
      m_copyId(new QPushButton(QStringLiteral("Copy id"), this)),
      m_copyPrompt(new QPushButton(QStringLiteral("Copy prompt"), this)), m_message(new QLabel(this)),
      m_detail(new QPlainTextEdit(this)) {
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(QueueModel::SortKeyRole);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->sort(0);

    m_table->setModel(m_proxy);
    m_table->setItemDelegateForColumn(QueueModel::ColProgress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setObjectName(QStringLiteral("queueTable"));
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
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
    m_detail->setReadOnly(true);
    m_detail->setMaximumHeight(110);
    m_detail->setPlaceholderText(QStringLiteral("Select a job to see its full prompt"));
    m_promote->setToolTip(
        QStringLiteral("Move the selected waiting job to the front of the dispatch order (Ctrl+P)"));
    m_cancel->setToolTip(
        QStringLiteral("Remove the selected waiting jobs, interrupt the running ones (Ctrl+I)"));

    auto *buttons = new QHBoxLayout;
    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_promote);
    buttons->addWidget(m_copyId);
    buttons->addWidget(m_copyPrompt);
    buttons->addStretch(1);
    buttons->addWidget(refresh);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addWidget(m_detail);
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
    connect(m_promote, &QPushButton::clicked, this, &QueueTab::promoteSelected);
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
    const QStringList ids = selectedJobIds();
    return ids.isEmpty() ? QString() : ids.first();
}

QStringList QueueTab::selectedJobIds() const {
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList ids;
    for (const QModelIndex &row : rows)
        ids << row.data(QueueModel::JobIdRole).toString();
    return ids;
}

bool QueueTab::selectJob(const QString &jobId) {
    return selectJobs({jobId});
}

bool QueueTab::selectJobs(const QStringList &jobIds) {
    QItemSelection selection;
    for (const QString &id : jobIds) {
        const int row = m_model->rowOf(id);
        if (row < 0)
            return false;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        selection.select(index, index);
    }
    m_table->selectionModel()->select(selection,
                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!selection.isEmpty())
        m_table->scrollTo(selection.indexes().first());
    return true;
}

void QueueTab::updateActions() {
    const QStringList ids = selectedJobIds();
    const std::optional<QueueJob> job = ids.isEmpty() ? std::nullopt : m_model->job(ids.first());
    int active = 0;
    for (const QString &id : ids) {
        const std::optional<QueueJob> each = m_model->job(id);
        active += each && each->isActive() ? 1 : 0;
    }
    m_cancel->setEnabled(active > 0);
    m_cancel->setText(active > 1 ? QStringLiteral("Cancel %1 jobs").arg(active)
                      : job && job->state == QueueJob::State::Running ? QStringLiteral("Interrupt")
                                                                      : QStringLiteral("Cancel / remove"));
    m_promote->setEnabled(ids.size() == 1 && job && job->state == QueueJob::State::Queued);
    m_copyId->setEnabled(job.has_value());
    m_copyPrompt->setEnabled(job.has_value());
    const QString detail =
        !job ? QString()
             : QStringLiteral("%1 · %2 · %3 · %4 · %5 steps%6%7\n%8")
                   .arg(job->jobId, job->ownerLabel(), job->modelName, job->sizeLabel())
                   .arg(job->steps)
                   .arg(job->position >= 0 ? QStringLiteral(" · position %1").arg(job->position) : QString())
                   .arg(job->error.isEmpty() ? QString() : QStringLiteral(" · ") + job->error)
                   .arg(job->prompt);
    if (m_detail->toPlainText() != detail)
        m_detail->setPlainText(detail);
}

QString QueueTab::detailText() const {
    return m_detail->toPlainText();
}

void QueueTab::cancelSelected(bool confirm) {
    QList<QueueJob> jobs;
    for (const QString &id : selectedJobIds())
        if (const std::optional<QueueJob> job = m_model->job(id); job && job->isActive())
            jobs.append(*job);
    if (jobs.isEmpty())
        return;
    if (confirm) {
        QString question;
        if (jobs.size() == 1) {
            const QueueJob &job = jobs.first();
            const QString what = job.state == QueueJob::State::Running
                                     ? QStringLiteral("Interrupt the running job")
                                     : QStringLiteral("Remove the queued job");
            question = QStringLiteral("%1 %2 of %3?\n\n%4")
                           .arg(what, job.jobId, job.ownerLabel(), job.prompt.left(200));
        } else {
            question =
                QStringLiteral("Cancel these %1 jobs (waiting ones are removed, running ones interrupted)?")
                    .arg(jobs.size());
        }
        if (QMessageBox::question(this, QStringLiteral("Cancel jobs"), question) != QMessageBox::Yes)
            return;
    }
    m_cancel->setEnabled(false);
    setMessage(jobs.size() == 1 ? QStringLiteral("Cancelling %1…").arg(jobs.first().jobId)
                                : QStringLiteral("Cancelling %1 jobs…").arg(jobs.size()));
    // One call per job; the message sums them up once every answer is in.
    struct Tally {
        int pending = 0;
        QStringList done;
        QStringList failed;
    };
    auto tally = std::make_shared<Tally>();
    tally->pending = int(jobs.size());
    for (const QueueJob &job : jobs) {
        const QString id = job.jobId;
        m_feed->cancel(id, [this, id, tally](bool ok, const QString &statusOrError) {
            (ok ? tally->done : tally->failed) << QStringLiteral("%1: %2").arg(id, statusOrError);
            if (--tally->pending > 0)
                return;
            if (tally->failed.isEmpty() && tally->done.size() == 1)
                setMessage(QStringLiteral("Job ") + tally->done.first());
            else if (tally->failed.isEmpty())
                setMessage(QStringLiteral("Cancelled %1 jobs").arg(tally->done.size()));
            else
                setMessage(QStringLiteral("Cancel failed for %1 of %2: %3")
                               .arg(tally->failed.size())
                               .arg(tally->failed.size() + tally->done.size())
                               .arg(tally->failed.join(QStringLiteral("; "))));
            updateActions();
        });
    }
}

void QueueTab::promoteSelected() {
    const QStringList ids = selectedJobIds();
    const std::optional<QueueJob> job = ids.size() == 1 ? m_model->job(ids.first()) : std::nullopt;
    if (!job || job->state != QueueJob::State::Queued)
        return;
    const QString id = job->jobId;
    m_promote->setEnabled(false);
    m_feed->promote(id, [this, id](bool ok, const QString &positionOrError) {
        setMessage(ok ? QStringLiteral("Job %1 promoted: %2").arg(id, positionOrError)
                      : QStringLiteral("Promote %1 failed: %2").arg(id, positionOrError));
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
