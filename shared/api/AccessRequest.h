#pragma once
// An access request as GET /api/admin/access-requests lists it, approve/deny answer it and the
// "access-requested" admin event carries it: the server builds one from a Discord profile row
// (server/auth/AccessRequestService.cpp), the admin window reads it (admin-gui/RequestsModel.cpp). The field
// names live here only; tst_apishapes_live round-trips a running navigator's answers.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace nav::api {

struct AccessRequest {
    QString discordId;
    QString name; // global name, else username; empty: null
    QString username;
    QString globalName;
    QString avatar;           // Discord avatar hash; empty: null
    QString status;           // pending, approved, denied
    int attempts = 0;         // refused logins counted for this request
    QDateTime firstAttemptAt; // invalid: null
    QDateTime lastAttemptAt;
    QDateTime decidedAt;
    QString decidedBy; // the Discord id that approved or denied; empty: null

    QJsonObject toJson() const;
    // Missing or mistyped fields keep their defaults; times are read leniently (json::lenientTime).
    static AccessRequest fromJson(const QJsonObject &object);
};

} // namespace nav::api
