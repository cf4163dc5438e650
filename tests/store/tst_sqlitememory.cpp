// SQLite's page cache grows a page at a time (SqliteMemory, applied by Database::open before the first
// connection): a connection's first read allocates one page, not SQLite's default bulk of 20 (about 86 KB)
// that every connection of an idle navigator kept resident.
#include "server/store/Database.h"
#include "server/store/SqliteMemory.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using namespace nav;

namespace {

sqlite3_int64 sqliteMemoryUsed() {
    sqlite3_int64 current = 0;
    sqlite3_int64 highest = 0;
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highest, 0);
    return current;
}

} // namespace

class SqliteMemoryTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void firstReadAllocatesOnePage() {
        // Database::open is this process's first use of SQLite, as in navigator.
        QVERIFY(m_dir.isValid());
        const QByteArray path = m_dir.filePath(QStringLiteral("memory.db")).toUtf8();
        config::DatabaseConfig config;
        config.driver = QStringLiteral("sqlite");
        config.path = QString::fromUtf8(path);
        QString error;
        const auto database = store::Database::open(config, &error);
        QVERIFY2(database, qPrintable(error));
        QVERIFY(store::configureSqliteMemory()); // applied by open(), before its probe connection

        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
        const sqlite3_int64 before = sqliteMemoryUsed();
        QVERIFY2(before > 0, "SQLite does not count its memory (SQLITE_DEFAULT_MEMSTATUS=0)");
        const int read = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
        const sqlite3_int64 grown = sqliteMemoryUsed() - before;
        sqlite3_close(db);
        QCOMPARE(read, SQLITE_OK);
        // One page of 4 KiB and its header, plus the statement; the bulk alone would be 20 pages.
        QVERIFY2(grown < 40 * 1024,
                 qPrintable(QStringLiteral("the first read allocated %1 bytes").arg(grown)));
    }
};

QTEST_GUILESS_MAIN(SqliteMemoryTest)
#include "tst_sqlitememory.moc"
