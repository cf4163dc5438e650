#pragma once
// Helpers for the suites that drive a running navigator: bearer tokens for it, seeding rows through
// the test's own database connection, and JSON calls with an Authorization header.
#include "server/auth/JwtCodec.h"
#include "tests/support/TestSupport.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

namespace nav::test {

inline QByteArray bearerFor(const NavigatorInstance &nav, const QString &discordId,
                            qint64 ttlMs = 3'600'000) {
    return "Bearer " + auth::JwtCodec(nav.secretKey().toUtf8()).sign(discordId, 1, ttlMs).toUtf8();
}

// Runs one statement on the test database; returns false (and warns) on failure.
inline bool seed(const TestDatabase &db, const QString &sql, const QVariantList &values = {}) {
    QSqlQuery query(QSqlDatabase::database(db.connectionName()));
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (query.exec())
        return true;
    qWarning().noquote() << "seed failed:" << query.lastError().text() << sql;
    return false;
}

inline QVariant scalar(const TestDatabase &db, const QString &sql, const QVariantList &values = {}) {
    QSqlQuery query(QSqlDatabase::database(db.connectionName()));
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec() || !query.next())
        return {};
    return query.value(0);
}

inline HttpReply call(const NavigatorInstance &nav, const QByteArray &method, const QString &path,
                      const QByteArray &authorization, const QJsonObject &body = {}) {
    QHash<QByteArray, QByteArray> headers{{"Content-Type", "application/json"}};
    if (!authorization.isEmpty())
        headers.insert("Authorization", authorization);
    // Like Compass (axios with data={}): a JSON content type always, and a body on everything but GET.
    const QByteArray bytes =
        method == "GET" ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    return http(method, nav.url(path), bytes, headers);
}

} // namespace nav::test
