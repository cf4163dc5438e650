#include "admin-gui/UsersModel.h"

#include "shared/api/JsonValues.h"
#include "shared/api/User.h"

#include <QBrush>
#include <QColor>
#include <QJsonArray>

namespace nav::admin {

namespace {

int number(const QJsonObject &object, std::initializer_list<const char *> keys, int fallback) {
    for (const char *key : keys) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isDouble())
            return static_cast<int>(value.toDouble());
        bool ok = false;
        const int parsed = value.toString().toInt(&ok);
        if (ok)
            return parsed;
    }
    return fallback;
}

QJsonValue first(const QJsonObject &object, std::initializer_list<const char *> keys) {
    for (const char *key : keys)
        if (object.contains(QLatin1String(key)))
            return object.value(QLatin1String(key));
    return {};
}

} // namespace

UsersModel::UsersModel(QObject *parent) : QAbstractTableModel(parent) {}

int UsersModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_users.size());
}

int UsersModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[ColumnCount] = {"Name",   "Discord ID", "Role",
                                                   "Images", "Created",    "Updated"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

QString UsersModel::roleName(int role) {
    switch (role) {
    case 0:
        return QStringLiteral("0 disabled");
    case 1:
        return QStringLiteral("1 apprentice");
    case 2:
        return QStringLiteral("2 artificer");
    case 3:
        return QStringLiteral("3 architect");
    case 4:
        return QStringLiteral("4 apex");
    default:
        return QString::number(role);
    }
}

QVariant UsersModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_users.size())
        return {};
    const AdminUser &user = m_users.at(index.row());
    if (role == DiscordIdRole)
        return user.discordId;
    if (role == RoleValueRole)
        return user.role;
    if (role == Qt::ForegroundRole && user.role <= 0)
        return QBrush(QColor(0x90, 0x90, 0x90));
    if (role == Qt::ToolTipRole)
        return user.username.isEmpty()
                   ? QStringLiteral("Discord ID %1").arg(user.discordId)
                   : QStringLiteral("@%1 · Discord ID %2").arg(user.username, user.discordId);
    if (role == Qt::TextAlignmentRole && index.column() == ColImages)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const auto date = [](const QDateTime &time) {
        return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
    };
    switch (index.column()) {
    case ColName:
        return user.name.isEmpty() ? QStringLiteral("—") : user.name;
    case ColId:
        return user.discordId;
    case ColRole:
        return roleName(user.role);
    case ColImages:
        return user.imageCount >= 0 ? QVariant(user.imageCount) : QVariant();
    case ColCreated:
        return date(user.createdAt);
    case ColUpdated:
        return date(user.updatedAt);
    default:
        return {};
    }
}

bool UsersModel::setPage(const QJsonObject &body) {
    const QJsonValue list = first(body, {"users", "items", "data"});
    if (!list.isArray())
        return false;
    QList<AdminUser> users;
    for (const QJsonValue &value : list.toArray()) {
        const QJsonObject o = value.toObject();
        // The server's spelling is shared/api/User; the second spellings are older servers'.
        const api::User shape = api::User::fromJson(o);
        AdminUser user;
        user.discordId = o.contains(api::User::idKey()) ? shape.id : json::idString(o.value("discord_id"));
        user.role = shape.role;
        user.name = shape.name;
        user.username = shape.username;
        user.imageCount =
            o.contains(api::User::imageCountKey()) ? int(shape.imageCount) : number(o, {"images"}, -1);
        user.createdAt =
            o.contains(api::User::createdAtKey()) ? shape.createdAt : json::lenientTime(o.value("createdAt"));
        user.updatedAt =
            o.contains(api::User::updatedAtKey()) ? shape.updatedAt : json::lenientTime(o.value("updatedAt"));
        users.append(user);
    }
    beginResetModel();
    m_users = users;
    m_page = std::max(1, number(body, {"currentPage", "page", "current_page"}, 1));
    m_total = number(body, {"count", "total", "total_count"}, static_cast<int>(users.size()));
    m_totalPages = std::max(1, number(body, {"totalPages", "total_pages", "pages"}, 1));
    endResetModel();
    return true;
}

int UsersModel::rowOf(const QString &discordId) const {
    for (int row = 0; row < m_users.size(); ++row)
        if (m_users.at(row).discordId == discordId)
            return row;
    return -1;
}

QString UsersModel::describe(const QString &discordId) const {
    const int row = rowOf(discordId);
    if (row < 0 || m_users.at(row).name.isEmpty())
        return discordId;
    return QStringLiteral("%1 (%2)").arg(m_users.at(row).name, discordId);
}

void UsersModel::clear() {
    beginResetModel();
    m_users.clear();
    m_page = m_totalPages = 1;
    m_total = 0;
    endResetModel();
}

} // namespace nav::admin
