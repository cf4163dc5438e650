#include "admin-gui/HistoryModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QLocale>

namespace nav::admin {

HistoryModel::HistoryModel(QObject *parent) : QAbstractTableModel(parent) {}

int HistoryModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_jobs.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString HistoryModel::formatDuration(const QJsonValue &seconds) {
    if (!seconds.isDouble())
        return {};
    const qint64 s = static_cast<qint64>(seconds.toDouble());
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60, 2, 10, QLatin1Char('0'));
}

QString HistoryModel::reasonText(const QJsonObject &job) {
    return reasonText(api::HistoryJob::fromJson(job));
}

QString HistoryModel::reasonText(const api::HistoryJob &job) {
    if (job.errorCode.isEmpty())
        return job.errorMessage;
    return job.errorMessage.isEmpty() ? job.errorCode
                                      : QStringLiteral("%1: %2").arg(job.errorCode, job.errorMessage);
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_jobs.size())
        return {};
    const api::HistoryJob &job = m_rows.at(index.row());
    const QString &id = job.jobId;
    const QString &status = job.status;
    const QString &ownerId = job.ownerId;
    const QString &ownerName = job.ownerName;
    switch (role) {
    case JobIdRole:
        return id;
    case StatusRole:
        return status;
    case OwnerIdRole:
        return ownerId;
    case PromptRole:
        return job.prompt;
    case Qt::DecorationRole:
        return index.column() == ColImage && m_thumbnails.contains(id) ? QVariant(m_thumbnails.value(id))
                                                                       : QVariant();
    case Qt::ToolTipRole:
        switch (index.column()) {
        case ColOwner:
            return QStringLiteral("Discord ID %1").arg(ownerId);
        case ColPrompt:
            return job.prompt;
        case ColReason:
            return reasonText(job);
        case ColImage:
            return QStringLiteral("Double-click for the full image and its png-info");
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (status == QLatin1String("failed"))
            return QBrush(QColor(0xb0, 0x20, 0x20));
        if (status == QLatin1String("interrupted"))
            return QBrush(QColor(0x70, 0x70, 0x70));
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case ColImage:
        return status == QLatin1String("finished") && !m_thumbnails.contains(id) ? QStringLiteral("…")
                                                                                 : QString();
    case ColEnded:
        return job.finishedAt.isValid()
                   ? job.finishedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                   : QString();
    case ColOwner:
        return ownerName.isEmpty() ? ownerId : ownerName;
    case ColModel:
        return job.modelName;
    case ColSize:
        return job.width > 0 && job.height > 0 ? QStringLiteral("%1×%2").arg(job.width).arg(job.height)
                                               : QString();
    case ColDuration:
        return job.durationSeconds ? formatDuration(QJsonValue(*job.durationSeconds)) : QString();
    case ColBackend:
        return job.backend;
    case ColStatus:
        return status;
    case ColReason:
        return reasonText(job);
    case ColPrompt: {
        const QString prompt = job.prompt.simplified();
        return prompt.size() > 120 ? prompt.left(119) + QChar(0x2026) : prompt;
    }
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Image",    "Ended",   "Owner",  "Model",  "Size",
                                        "Duration", "Backend", "Status", "Reason", "Prompt"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QString();
}

bool HistoryModel::setPage(const QJsonObject &page) {
    const QJsonValue jobs = page.value(QStringLiteral("jobs"));
    if (!jobs.isArray() || !page.value(QStringLiteral("count")).isDouble())
        return false;
    beginResetModel();
    m_jobs.clear();
    m_rows.clear();
    for (const QJsonValue &value : jobs.toArray()) {
        m_jobs.append(value.toObject());
        m_rows.append(api::HistoryJob::fromJson(value.toObject()));
    }
    // Thumbnails of jobs that left the page are dropped, so a window left open for days stays small.
    QHash<QString, QImage> kept;
    for (const api::HistoryJob &job : m_rows) {
        if (m_thumbnails.contains(job.jobId))
            kept.insert(job.jobId, m_thumbnails.value(job.jobId));
    }
    m_thumbnails = kept;
    m_total = static_cast<qint64>(page.value(QStringLiteral("count")).toDouble());
    m_page = page.value(QStringLiteral("currentPage")).toInt(1);
    m_pageCount = page.value(QStringLiteral("totalPages")).toInt();
    endResetModel();
    return true;
}

void HistoryModel::clear() {
    beginResetModel();
    m_jobs.clear();
    m_rows.clear();
    m_thumbnails.clear();
    m_total = 0;
    m_page = 1;
    m_pageCount = 0;
    endResetModel();
}

void HistoryModel::setThumbnail(const QString &jobId, const QImage &image) {
    m_thumbnails.insert(jobId, image);
    const int row = rowOf(jobId);
    if (row >= 0)
        emit dataChanged(index(row, ColImage), index(row, ColImage));
}

int HistoryModel::rowOf(const QString &jobId) const {
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).jobId == jobId)
            return row;
    return -1;
}

} // namespace nav::admin
