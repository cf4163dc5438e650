#pragma once
// Users for the integration tests: a row in `users` with a role, and a login token (HS256 JWT
// {discord_id, role}) signed with the instance's SECRET_KEY, as POST /api/auth/login would issue it.
#include "tests/support/TestSupport.h"

#include <QByteArray>
#include <QString>

namespace nav::test {

// Inserts (or updates) the user; call after navigator has started, so that the migrations have run.
bool seedUser(const TestDatabase &db, const QString &discordId, int role);
QByteArray bearerToken(const QString &secretKey, const QString &discordId, int role);

} // namespace nav::test
