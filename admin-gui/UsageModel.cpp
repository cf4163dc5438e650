#include "admin-gui/UsageModel.h"

#include <QJsonArray>

namespace nav::admin {

namespace {

QDateTime utc(const QJsonValue &value) {
    QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : time;
}

} // namespace

QList<ActivityPoint> parseActivity(const QJsonObject &answer) {
    QList<ActivityPoint> points;
    for (const QJsonValue &value : answer.value(QStringLiteral("points")).toArray()) {
        const QJsonObject p = value.toObject();
        ActivityPoint point;
        point.minute = utc(p.value(QStringLiteral("minute")));
        if (!point.minute.isValid())
            return {};
        point.queued = p.value(QStringLiteral("queued")).toInt();
        point.running = p.value(QStringLiteral("running")).toInt();
        point.submitted = p.value(QStringLiteral("submitted")).toInt();
        point.failed = p.value(QStringLiteral("failed")).toInt();
        point.ended = p.value(QStringLiteral("finished")).toInt() + point.failed +
                      p.value(QStringLiteral("interrupted")).toInt();
        points.append(point);
    }
    return points;
}

UsageModel::UsageModel(QObject *parent) : QAbstractTableModel(parent) {}

int UsageModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_users.size());
}

int UsageModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString UsageModel::formatSeconds(qint64 seconds) {
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min")
        .arg(seconds / 3600)
        .arg(seconds % 3600 / 60, 2, 10, QLatin1Char('0'));
}

QVariant UsageModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_users.size())
        return {};
    const QJsonObject &user = m_users.at(index.row());
    const QString id = user.value(QStringLiteral("owner_id")).toString();
    const QString name = user.value(QStringLiteral("owner_name")).toString();
    static const char *const keys[] = {nullptr, "jobs", "finished", "failed", "interrupted", "gpu_seconds"};
    switch (role) {
    case OwnerIdRole:
        return id;
    case SortRole:
        if (index.column() == ColUser)
            return name.isEmpty() ? id : name;
        if (index.column() == ColLastSeen)
            return user.value(QStringLiteral("last_seen")).toString();
        return user.value(QLatin1String(keys[index.column()])).toDouble();
    case Qt::ToolTipRole:
        return index.column() == ColUser ? QVariant(QStringLiteral("Discord ID %1").arg(id)) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() != ColUser && index.column() != ColLastSeen
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case ColUser:
        return name.isEmpty() ? id : name;
    case ColGpu:
        return formatSeconds(static_cast<qint64>(user.value(QStringLiteral("gpu_seconds")).toDouble()));
    case ColLastSeen: {
        const QDateTime seen = utc(user.value(QStringLiteral("last_seen")));
        return seen.isValid() ? seen.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
    }
    default:
        return user.value(QLatin1String(keys[index.column()])).toInt();
    }
}

QVariant UsageModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"User",        "Jobs",     "Finished", "Failed",
                                        "Interrupted", "GPU time", "Last seen"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QString();
}

bool UsageModel::setReport(const QJsonObject &answer) {
    if (!answer.value(QStringLiteral("users")).isArray() ||
        !answer.value(QStringLiteral("per_hour")).isArray())
        return false;
    beginResetModel();
    m_users.clear();
    for (const QJsonValue &value : answer.value(QStringLiteral("users")).toArray())
        m_users.append(value.toObject());
    m_hours.clear();
    for (const QJsonValue &value : answer.value(QStringLiteral("per_hour")).toArray()) {
        const QJsonObject h = value.toObject();
        m_hours.append({utc(h.value(QStringLiteral("hour"))), h.value(QStringLiteral("jobs")).toInt(),
                        h.value(QStringLiteral("failed")).toInt()});
    }
    m_totals = answer.value(QStringLiteral("totals")).toObject();
    m_window = answer.value(QStringLiteral("window")).toString();
    endResetModel();
    return true;
}

void UsageModel::clear() {
    beginResetModel();
    m_users.clear();
    m_hours.clear();
    m_totals = {};
    endResetModel();
}

int UsageModel::rowOf(const QString &ownerId) const {
    for (int row = 0; row < m_users.size(); ++row)
        if (m_users.at(row).value(QStringLiteral("owner_id")).toString() == ownerId)
            return row;
    return -1;
}

QJsonObject UsageModel::user(const QString &ownerId) const {
    const int row = rowOf(ownerId);
    return row < 0 ? QJsonObject() : m_users.at(row);
}

} // namespace nav::admin
