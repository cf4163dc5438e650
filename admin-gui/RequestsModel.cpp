#include "admin-gui/RequestsModel.h"

#include "admin-gui/Avatars.h"

#include <QJsonArray>

namespace nav::admin {

namespace {

constexpr int kAvatarSize = 28;

QString timeLabel(const QDateTime &time) {
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
}

} // namespace

RequestsModel::RequestsModel(Avatars *avatars, QObject *parent)
    : QAbstractTableModel(parent), m_avatars(avatars) {
    if (m_avatars)
        connect(m_avatars, &Avatars::avatarReady, this, [this](const QString &id) {
            const int row = rowOf(id);
            if (row >= 0)
                emit dataChanged(index(row, ColName), index(row, ColName), {Qt::DecorationRole});
        });
}

int RequestsModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_requests.size());
}

int RequestsModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[ColumnCount] = {"Name", "Discord ID", "Attempts", "First attempt",
                                                   "Last attempt"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

QVariant RequestsModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_requests.size())
        return {};
    const AccessRequest &r = m_requests.at(index.row());
    switch (role) {
    case DiscordIdRole:
        return r.discordId;
    case Qt::ToolTipRole:
        return r.username.isEmpty() ? QStringLiteral("Discord ID %1").arg(r.discordId)
                                    : QStringLiteral("@%1 · Discord ID %2").arg(r.username, r.discordId);
    case Qt::DecorationRole:
        if (index.column() == ColName && m_avatars)
            return m_avatars->pixmap(r.discordId, r.name, r.avatar, kAvatarSize);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == ColAttempts ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case ColName:
        return r.username.isEmpty() || r.username == r.name
                   ? requestLabel(r)
                   : QStringLiteral("%1 (@%2)").arg(requestLabel(r), r.username);
    case ColId:
        return r.discordId;
    case ColAttempts:
        return r.attempts;
    case ColFirst:
        return timeLabel(r.firstAttemptAt);
    case ColLast:
        return timeLabel(r.lastAttemptAt);
    default:
        return {};
    }
}

bool RequestsModel::setList(const QJsonObject &body) {
    const QJsonValue list = body.value(QStringLiteral("requests"));
    if (!list.isArray())
        return false;
    QList<AccessRequest> requests;
    for (const QJsonValue &value : list.toArray()) {
        const AccessRequest r = AccessRequest::fromJson(value.toObject());
        if (!r.discordId.isEmpty() && r.status == QLatin1String("pending"))
            requests.append(r);
    }
    beginResetModel();
    m_requests = requests;
    endResetModel();
    return true;
}

bool RequestsModel::upsert(const QJsonObject &object) {
    const AccessRequest r = AccessRequest::fromJson(object);
    if (r.discordId.isEmpty())
        return false;
    const int row = rowOf(r.discordId);
    if (r.status != QLatin1String("pending")) {
        remove(r.discordId);
        return false;
    }
    if (row == 0) {
        m_requests[0] = r;
        emit dataChanged(index(0, 0), index(0, ColumnCount - 1));
        return false;
    }
    if (row > 0) {
        beginRemoveRows({}, row, row);
        m_requests.removeAt(row);
        endRemoveRows();
    }
    // The latest attempt goes on top, as the server lists them.
    beginInsertRows({}, 0, 0);
    m_requests.prepend(r);
    endInsertRows();
    return row < 0;
}

void RequestsModel::remove(const QString &discordId) {
    const int row = rowOf(discordId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_requests.removeAt(row);
    endRemoveRows();
}

void RequestsModel::clear() {
    beginResetModel();
    m_requests.clear();
    endResetModel();
}

int RequestsModel::rowOf(const QString &discordId) const {
    for (int row = 0; row < m_requests.size(); ++row)
        if (m_requests.at(row).discordId == discordId)
            return row;
    return -1;
}

std::optional<AccessRequest> RequestsModel::request(const QString &discordId) const {
    const int row = rowOf(discordId);
    return row >= 0 ? std::optional(m_requests.at(row)) : std::nullopt;
}

} // namespace nav::admin
