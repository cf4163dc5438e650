#include "tests/support/TestUsers.h"

#include "server/auth/JwtCodec.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace nav::test {

bool seedUser(const TestDatabase &db, const QString &discordId, int role) {
    QSqlDatabase connection = QSqlDatabase::database(db.connectionName());
    QSqlQuery query(connection);
    query.prepare(QStringLiteral("DELETE FROM users WHERE id = ?"));
    query.addBindValue(discordId.toLongLong());
    if (!query.exec())
        return false;
    query.prepare(QStringLiteral("INSERT INTO users (id, role) VALUES (?, ?)"));
    query.addBindValue(discordId.toLongLong());
    query.addBindValue(role);
    if (!query.exec()) {
        qWarning("seedUser: %s", qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

QByteArray bearerToken(const QString &secretKey, const QString &discordId, int role) {
    return "Bearer " + auth::JwtCodec(secretKey.toUtf8()).sign(discordId, role, 3'600'000).toUtf8();
}

} // namespace nav::test
