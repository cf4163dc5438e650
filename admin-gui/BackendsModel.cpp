#include "admin-gui/BackendsModel.h"

#include "shared/api/Backend.h"

#include <QBrush>
#include <QColor>
#include <QJsonArray>

namespace nav::admin {

namespace {

// The stored objects are the server's JSON (merged from the list and the events); fields are read through
// the shared shape, never by key here.
api::Backend shape(const QJsonObject &backend) {
    return api::Backend::fromJson(backend);
}

QString runningJobId(const QJsonObject &backend) {
    const api::Backend b = shape(backend);
    return b.runningJob ? b.runningJob->jobId : QString();
}

} // namespace

BackendsModel::BackendsModel(const QueueModel *queue, QObject *parent)
    : QAbstractTableModel(parent), m_queue(queue) {
    if (queue)
        connect(queue, &QueueModel::jobUpdated, this, &BackendsModel::onJobUpdated);
}

int BackendsModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_backends.size());
}

int BackendsModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString BackendsModel::patchLabel(const QJsonValue &patch) {
    const QString value = patch.toString();
    if (value == QLatin1String("patched"))
        return QStringLiteral("yes");
    if (value == QLatin1String("unpatched"))
        return QStringLiteral("no (plain hires fallback)");
    return value.isEmpty() || value == QLatin1String("unknown") ? QStringLiteral("not known yet") : value;
}

QVariant BackendsModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_backends.size())
        return {};
    const api::Backend b = shape(m_backends.at(index.row()));
    const QString state = b.state;
    const QString jobId = b.runningJob ? b.runningJob->jobId : QString();
    const std::optional<QueueJob> job =
        m_queue && !jobId.isEmpty() ? m_queue->job(jobId) : std::optional<QueueJob>();
    switch (role) {
    case NameRole:
        return b.name;
    case StateRole:
        return state;
    case RunningJobRole:
        return jobId;
    case ProgressRole:
        if (jobId.isEmpty())
            return -1;
        return job ? static_cast<int>(job->progress * 100.0 + 0.5) : 0;
    case ProgressTextRole:
        if (job && job->totalSteps > 0)
            return QStringLiteral("%1% (%2/%3)")
                .arg(static_cast<int>(job->progress * 100.0 + 0.5))
                .arg(job->currentStep)
                .arg(job->totalSteps);
        return jobId.isEmpty() ? QString() : QStringLiteral("starting");
    case Qt::ForegroundRole:
        if (index.column() == ColState)
            return QBrush(state == QLatin1String("up")     ? QColor(0x20, 0x70, 0x20)
                          : state == QLatin1String("down") ? QColor(0xb0, 0x20, 0x20)
                                                           : QColor(0xb0, 0x70, 0x00));
        if (index.column() == ColError)
            return QBrush(QColor(0xb0, 0x20, 0x20));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ColName)
            return b.url;
        if (index.column() == ColJob && job)
            return QStringLiteral("%1 of %2\n%3").arg(job->jobId, job->ownerLabel(), job->prompt);
        if (index.column() == ColError)
            return b.lastError;
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == ColDone || index.column() == ColFailed
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case ColName:
        return b.name;
    case ColState:
        return state;
    case ColCheckpoint:
        return b.loadedCheckpoint;
    case ColJob:
        if (jobId.isEmpty())
            return QStringLiteral("idle");
        return job ? QStringLiteral("%1 (%2)").arg(jobId, job->ownerLabel()) : jobId;
    case ColProgress:
        return {};
    case ColDone:
        return b.jobsDone;
    case ColFailed:
        return b.jobsFailed;
    case ColPatch:
        return patchLabel(b.firstpassPatch);
    case ColError:
        return b.lastError;
    default:
        return {};
    }
}

QVariant BackendsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Backend", "State",  "Loaded checkpoint", "Running job", "Progress",
                                        "Done",    "Failed", "Forge patch",       "Last error"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QString();
}

bool BackendsModel::setList(const QJsonObject &answer) {
    const QJsonValue list = answer.value(QStringLiteral("backends"));
    if (!list.isArray())
        return false;
    QStringList seen;
    for (const QJsonValue &value : list.toArray()) {
        const QJsonObject backend = value.toObject();
        seen << shape(backend).name;
        upsert(backend);
    }
    for (int row = int(m_backends.size()) - 1; row >= 0; --row) {
        if (seen.contains(shape(m_backends.at(row)).name))
            continue;
        beginRemoveRows({}, row, row);
        m_backends.removeAt(row);
        endRemoveRows();
    }
    return true;
}

bool BackendsModel::applyEvent(const QString &event, const QJsonObject &payload) {
    if (event != QLatin1String("backend-state") || shape(payload).name.isEmpty())
        return false;
    upsert(payload);
    return true;
}

void BackendsModel::upsert(const QJsonObject &backend) {
    const api::Backend incoming = shape(backend);
    const QString name = incoming.name;
    const QString state = incoming.state;
    const int row = rowOf(name);
    if (row < 0) {
        beginInsertRows({}, int(m_backends.size()), int(m_backends.size()));
        m_backends.append(backend);
        endInsertRows();
        emit stateChanged(name, {}, state);
        return;
    }
    const QString previous = shape(m_backends.at(row)).state;
    // The event and the list carry the same object; a field one of them lacks keeps its value.
    QJsonObject merged = m_backends.at(row);
    for (auto it = backend.begin(); it != backend.end(); ++it)
        merged.insert(it.key(), it.value());
    m_backends[row] = merged;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (previous != state)
        emit stateChanged(name, previous, state);
}

void BackendsModel::onJobUpdated(const QString &jobId) {
    for (int row = 0; row < m_backends.size(); ++row)
        if (runningJobId(m_backends.at(row)) == jobId)
            emit dataChanged(index(row, ColJob), index(row, ColProgress));
}

void BackendsModel::clear() {
    beginResetModel();
    m_backends.clear();
    endResetModel();
}

int BackendsModel::rowOf(const QString &name) const {
    for (int row = 0; row < m_backends.size(); ++row)
        if (shape(m_backends.at(row)).name == name)
            return row;
    return -1;
}

QJsonObject BackendsModel::backend(const QString &name) const {
    const int row = rowOf(name);
    return row < 0 ? QJsonObject() : m_backends.at(row);
}

QString BackendsModel::state(const QString &name) const {
    return shape(backend(name)).state;
}

QStringList BackendsModel::names() const {
    QStringList list;
    for (const QJsonObject &b : m_backends)
        list << shape(b).name;
    return list;
}

QString BackendsModel::backendRunning(const QString &jobId) const {
    for (const QJsonObject &b : m_backends)
        if (runningJobId(b) == jobId)
            return shape(b).name;
    return {};
}

} // namespace nav::admin
