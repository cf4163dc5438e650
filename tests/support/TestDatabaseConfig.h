#pragma once
// The DatabaseConfig navigator would load for a TestDatabase, for suites that open store::Database directly.
#include "server/config/Config.h"
#include "tests/support/TestSupport.h"

namespace nav::test {

// poolSize > 0 sets DB_POOL_SIZE; otherwise the default pool is kept.
config::DatabaseConfig databaseConfigFor(const TestDatabase &db, int poolSize = 0);

} // namespace nav::test
