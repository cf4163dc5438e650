#pragma once
// A user as GET /api/admin/users lists it (and GET /api/admin/users/:id and PUT .../role answer it): the
// server builds one from its users table and the owner's last Discord profile (server/api/AdminRoutes.cpp),
// the admin window reads it (admin-gui/UsersModel.cpp). The field names live here only; tst_apishapes
// round-trips a running navigator's answers.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace nav::api {

struct User {
    QString id; // the Discord id, always a string (it does not fit a JSON number)
    int role = 0;
    QDateTime createdAt; // invalid: null
    QDateTime updatedAt;
    qint64 imageCount = 0;
    // From the Discord profile of the user's last login; empty (null) before one.
    QString name; // global name, else username
    QString username;
    QString globalName;
    QString avatar;
    QDateTime lastLoginAt;

    QJsonObject toJson() const;
    // Missing or mistyped fields keep their defaults; times are read leniently (json::lenientTime).
    static User fromJson(const QJsonObject &object);
    // The keys toJson writes, for readers that must tell "absent" from "default".
    static QLatin1String idKey() { return QLatin1String("id"); }
    static QLatin1String imageCountKey() { return QLatin1String("image_count"); }
    static QLatin1String createdAtKey() { return QLatin1String("created_at"); }
    static QLatin1String updatedAtKey() { return QLatin1String("updated_at"); }
};

} // namespace nav::api
