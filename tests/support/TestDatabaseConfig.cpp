#include "tests/support/TestDatabaseConfig.h"

namespace nav::test {

config::DatabaseConfig databaseConfigFor(const TestDatabase &db, int poolSize) {
    config::EnvMap env{{"SECRET_KEY", "x"}};
    if (poolSize > 0)
        env.insert("DB_POOL_SIZE", QString::number(poolSize));
    const auto vars = db.envVars();
    for (auto it = vars.begin(); it != vars.end(); ++it)
        env.insert(it.key(), it.value());
    return std::get<config::Config>(config::loadConfig({}, env)).db;
}

} // namespace nav::test
