#pragma once
// Pending access requests (people refused at login for want of a role) as a table: name with avatar,
// Discord ID, attempts, first and last attempt. Filled from GET /api/admin/access-requests?status=pending and
// kept current by `access-requested` events. Needs no widgets.
#include "shared/api/AccessRequest.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace nav::admin {

class Avatars;

// The window reads requests through the shared shape (shared/api/AccessRequest.h).
using AccessRequest = api::AccessRequest;

// How the window names a request: its display name, else its Discord ID.
inline QString requestLabel(const AccessRequest &request) {
    return request.name.isEmpty() ? request.discordId : request.name;
}

class RequestsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ColName, ColId, ColAttempts, ColFirst, ColLast, ColumnCount };
    enum Role { DiscordIdRole = Qt::UserRole + 1 };

    explicit RequestsModel(Avatars *avatars = nullptr, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the list with the pending requests of an answer; false when it has no list.
    bool setList(const QJsonObject &body);
    // An `access-requested` event: adds the request or updates its row (latest attempt first). Returns true
    // when it was not listed before.
    bool upsert(const QJsonObject &request);
    void remove(const QString &discordId);
    void clear();

    int rowOf(const QString &discordId) const;
    std::optional<AccessRequest> request(const QString &discordId) const;
    const AccessRequest &requestAt(int row) const { return m_requests.at(row); }

private:
    Avatars *m_avatars;
    QList<AccessRequest> m_requests;
};

} // namespace nav::admin
