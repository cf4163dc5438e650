#include "server/store/SqliteMemory.h"

#include <sqlite3.h>

namespace nav::store {

bool configureSqliteMemory() {
    // No buffer of our own and no initial lines: SQLite's page cache mallocs each line as it needs it.
    static const bool applied =
        sqlite3_config(SQLITE_CONFIG_PAGECACHE, static_cast<void *>(nullptr), 0, 0) == SQLITE_OK;
    return applied;
}

} // namespace nav::store
