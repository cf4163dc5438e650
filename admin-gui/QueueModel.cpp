#include "admin-gui/QueueModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <QSet>

namespace nav::admin {

QueueModel::QueueModel(QObject *parent) : QAbstractTableModel(parent) {}

int QueueModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int QueueModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[ColumnCount] = {"Job",      "Owner", "Model",     "Prompt",
                                                   "Size",     "Steps", "Status",    "Position",
                                                   "Progress", "ETA",   "Submitted", "Started"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

namespace {

QString timeLabel(const QDateTime &time) {
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    return local.date() == QDate::currentDate() ? local.toString(QStringLiteral("HH:mm:ss"))
                                                : local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

QVariant QueueModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_jobs.size())
        return {};
    const QueueJob &job = m_jobs.at(index.row());
    switch (role) {
    case JobIdRole:
        return job.jobId;
    case PromptRole:
        return job.prompt;
    case ErrorRole:
        return job.error;
    case StateRole:
        return static_cast<int>(job.state);
    case SortKeyRole:
        return sortKey(job);
    case ProgressRole:
        if (job.state == QueueJob::State::Finished)
            return 100;
        if (job.state == QueueJob::State::Running)
            return static_cast<int>(job.progress * 100.0 + 0.5);
        return -1;
    case ProgressTextRole:
        if (job.state == QueueJob::State::Running && job.totalSteps > 0)
            return QStringLiteral("%1% (%2/%3)")
                .arg(static_cast<int>(job.progress * 100.0 + 0.5))
                .arg(job.currentStep)
                .arg(job.totalSteps);
        if (job.state == QueueJob::State::Running || job.state == QueueJob::State::Finished)
            return QStringLiteral("%1%").arg(
                job.state == QueueJob::State::Finished ? 100 : static_cast<int>(job.progress * 100.0 + 0.5));
        return {};
    case OwnerIdRole:
        return job.ownerId;
    case Qt::ToolTipRole:
        if (index.column() == ColOwner)
            return QStringLiteral("Discord ID %1").arg(job.ownerId);
        if (!job.error.isEmpty())
            return job.error;
        return index.column() == ColPrompt ? QVariant(job.prompt) : QVariant();
    case Qt::ForegroundRole:
        if (job.state == QueueJob::State::Failed)
            return QBrush(QColor(0xb0, 0x20, 0x20));
        if (!job.isActive())
            return QBrush(QColor(0x70, 0x70, 0x70));
        return {};
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case ColSteps:
        case ColPosition:
        case ColEta:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case ColId:
        return job.jobId;
    case ColOwner:
        return job.ownerLabel();
    case ColModel:
        return job.modelName;
    case ColPrompt: {
        QString prompt = job.prompt.simplified();
        return prompt.size() > 120 ? prompt.left(119) + QChar(0x2026) : prompt;
    }
    case ColSize:
        return job.sizeLabel();
    case ColSteps:
        return job.steps > 0 ? QVariant(job.steps) : QVariant();
    case ColStatus:
        return job.error.isEmpty() ? job.stateLabel() : job.stateLabel() + QStringLiteral(": ") + job.error;
    case ColPosition:
        return job.state == QueueJob::State::Queued && job.position >= 0 ? QVariant(job.position)
                                                                         : QVariant();
    case ColProgress:
        return data(index, ProgressTextRole);
    case ColEta:
        return job.state == QueueJob::State::Running ? QueueJob::formatEta(job.etaSeconds) : QString();
    case ColSubmitted:
        return timeLabel(job.submittedAt);
    case ColStarted:
        return timeLabel(job.startedAt);
    default:
        return {};
    }
}

qint64 QueueModel::sortKey(const QueueJob &job) {
    constexpr qint64 kQueued = 1'000'000'000LL;
    constexpr qint64 kDone = 2 * kQueued;
    switch (job.state) {
    case QueueJob::State::Running:
        return job.startedAt.isValid() ? job.startedAt.toSecsSinceEpoch() % kQueued : 0;
    case QueueJob::State::Queued:
        return kQueued + (job.position >= 0 ? job.position : kQueued / 2);
    default: {
        // Newest finished first: later times give smaller keys.
        const QDateTime when = job.finishedAt.isValid() ? job.finishedAt : job.submittedAt;
        return kDone + (when.isValid() ? 4'000'000'000LL - when.toSecsSinceEpoch() : 0);
    }
    }
}

int QueueModel::rowOf(const QString &jobId) const {
    for (int row = 0; row < m_jobs.size(); ++row)
        if (m_jobs.at(row).jobId == jobId)
            return row;
    return -1;
}

std::optional<QueueJob> QueueModel::job(const QString &jobId) const {
    const int row = rowOf(jobId);
    if (row < 0)
        return std::nullopt;
    return m_jobs.at(row);
}

QString QueueModel::runningJobId() const {
    for (const QueueJob &job : m_jobs)
        if (job.state == QueueJob::State::Running)
            return job.jobId;
    return {};
}

int QueueModel::activeCount() const {
    return static_cast<int>(
        std::count_if(m_jobs.cbegin(), m_jobs.cend(), [](const QueueJob &job) { return job.isActive(); }));
}

void QueueModel::touch(int row) {
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    emit jobUpdated(m_jobs.at(row).jobId);
}

void QueueModel::upsert(const QJsonObject &object) {
    const QString id = object.value(QStringLiteral("job_id")).toString();
    if (id.isEmpty())
        return;
    const int row = rowOf(id);
    if (row >= 0) {
        m_jobs[row].merge(object);
        QueueJob &job = m_jobs[row];
        if (!job.ownerName.isEmpty())
            m_ownerNames.insert(job.ownerId, job.ownerName);
        else
            job.ownerName = m_ownerNames.value(job.ownerId);
        touch(row);
        return;
    }
    QueueJob job = QueueJob::fromJson(object);
    if (!job.ownerName.isEmpty())
        m_ownerNames.insert(job.ownerId, job.ownerName);
    else
        job.ownerName = m_ownerNames.value(job.ownerId);
    const int at = static_cast<int>(m_jobs.size());
    beginInsertRows({}, at, at);
    m_jobs.append(job);
    endInsertRows();
    emit jobUpdated(id);
}

void QueueModel::setSnapshot(const QJsonArray &jobs, std::optional<quint64> requestedAt) {
    // A snapshot answered after some events were applied can predate them (the server read its queue
    // before it sent them): it would drop a job that was just queued, or bring back one just removed.
    QSet<QString> newer;
    for (auto it = m_changedAt.begin(); it != m_changedAt.end();) {
        if (requestedAt && it.value() > *requestedAt) {
            newer.insert(it.key());
            ++it;
        } else {
            it = m_changedAt.erase(it); // older than this snapshot, so older than every later one
        }
    }
    QSet<QString> present;
    for (const QJsonValue &value : jobs)
        present.insert(value.toObject().value(QStringLiteral("job_id")).toString());
    for (int row = static_cast<int>(m_jobs.size()) - 1; row >= 0; --row) {
        if (present.contains(m_jobs.at(row).jobId) || newer.contains(m_jobs.at(row).jobId))
            continue;
        const QString gone = m_jobs.at(row).jobId;
        beginRemoveRows({}, row, row);
        m_jobs.removeAt(row);
        endRemoveRows();
        emit jobUpdated(gone);
    }
    for (const QJsonValue &value : jobs) {
        QJsonObject object = value.toObject();
        if (newer.contains(object.value(QStringLiteral("job_id")).toString()))
            continue;
        // A snapshot row is complete: fields it leaves out are empty, not "unchanged".
        const int row = rowOf(object.value(QStringLiteral("job_id")).toString());
        if (row >= 0) {
            const QueueJob fresh = QueueJob::fromJson(object);
            m_jobs[row] = fresh;
            touch(row);
        } else {
            upsert(object);
        }
    }
}

bool QueueModel::applyEvent(const QString &event, const QJsonObject &payload) {
    const QString id = payload.value(QStringLiteral("job_id")).toString();
    if (id.isEmpty())
        return false;
    QJsonObject update = payload;
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const int row = rowOf(id);
    const auto known = [&](auto member) { return row >= 0 && (m_jobs.at(row).*member).isValid(); };
    if (event == QLatin1String("task-queued")) {
        update.insert(QStringLiteral("status"), QStringLiteral("queued"));
        if (!update.contains(QStringLiteral("created_at")) &&
            !update.contains(QStringLiteral("submitted_at")))
            update.insert(QStringLiteral("submitted_at"), now);
    } else if (event == QLatin1String("task-started") || event == QLatin1String("task-progress")) {
        update.insert(QStringLiteral("status"), QStringLiteral("running"));
        update.insert(QStringLiteral("position"), QJsonValue::Null);
        if (!known(&QueueJob::startedAt) && !update.contains(QStringLiteral("started_at")))
            update.insert(QStringLiteral("started_at"), now);
    } else if (event == QLatin1String("task-finished")) {
        update.insert(QStringLiteral("status"), QStringLiteral("finished"));
        update.insert(QStringLiteral("progress"), 1.0);
        update.insert(QStringLiteral("eta_relative"), QJsonValue::Null);
        update.insert(QStringLiteral("finished_at"), now);
    } else if (event == QLatin1String("task-failed")) {
        update.insert(QStringLiteral("status"), QStringLiteral("failed"));
        update.insert(QStringLiteral("finished_at"), now);
        if (!update.contains(QStringLiteral("error")))
            update.insert(QStringLiteral("error"), QStringLiteral("failed"));
    } else if (event == QLatin1String("task-interrupted")) {
        update.insert(QStringLiteral("status"), QStringLiteral("interrupted"));
        update.insert(QStringLiteral("finished_at"), now);
    } else if (event == QLatin1String("task-removed")) {
        removeJob(id);
        return true;
    } else if (event == QLatin1String("model-changed")) {
        // Only says which checkpoint is loading for this job; keep its state.
        update = QJsonObject{{QStringLiteral("job_id"), id}};
        if (payload.contains(QStringLiteral("model_name")))
            update.insert(QStringLiteral("model_name"), payload.value(QStringLiteral("model_name")));
    } else {
        return false;
    }
    noteChange(id);
    upsert(update);
    return true;
}

void QueueModel::removeJob(const QString &jobId) {
    noteChange(jobId);
    const int row = rowOf(jobId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_jobs.removeAt(row);
    endRemoveRows();
    emit jobUpdated(jobId);
}

void QueueModel::clear() {
    beginResetModel();
    m_jobs.clear();
    m_changedAt.clear();
    endResetModel();
}

} // namespace nav::admin
