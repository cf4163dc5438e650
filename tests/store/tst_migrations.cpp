// Migrations on empty SQLite/MariaDB databases, in-place upgrades of databases the original Navigator left at
// v4 and v8 (no original row may change or be lost), refusal of a newer schema, and the async worker pool.
#include "server/store/Database.h"
#include "server/store/Migrator.h"
#include "server/store/SqlScript.h"
#include "tests/support/TestSupport.h"

#include <QSqlError>
#include <QSqlRecord>
#include <QThread>
#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

config::DatabaseConfig configFor(const TestDatabase &db) {
    config::EnvMap env{{"SECRET_KEY", "x"}};
    const auto vars = db.envVars();
    for (auto it = vars.begin(); it != vars.end(); ++it)
        env.insert(it.key(), it.value());
    return std::get<config::Config>(config::loadConfig({}, env)).db;
}

using Rows = QList<QVariantMap>;

Rows snapshot(const QSqlDatabase &db, const QString &table, const QString &orderBy) {
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT * FROM %1 ORDER BY %2").arg(table, orderBy)))
        qFatal("snapshot of %s failed: %s", qPrintable(table), qPrintable(query.lastError().text()));
    Rows rows;
    while (query.next()) {
        QVariantMap row;
        const QSqlRecord record = query.record();
        for (int i = 0; i < record.count(); ++i)
            row.insert(record.fieldName(i), query.value(i));
        rows.append(row);
    }
    return rows;
}

QStringList columns(const QSqlDatabase &db, const QString &table) {
    QStringList names;
    const QSqlRecord record = db.record(table);
    for (int i = 0; i < record.count(); ++i)
        names << record.fieldName(i);
    names.sort();
    return names;
}

void loadFixture(QSqlDatabase db, const QString &name) {
    QFile file(QStringLiteral(FIXTURE_DIR "/") + name);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QSqlQuery query(db);
    for (const QString &statement : store::splitSqlScript(QString::fromUtf8(file.readAll())))
        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text() + " in " + statement.left(80)));
}

const QList<QPair<QString, QString>> kTables{
    {"image_categories", "id"}, {"images", "id"}, {"models", "id"},
    {"model_metadata", "id"},   {"users", "id"},  {"file_sha256_cache", "file_name"}};

} // namespace

class MigrationsTest : public QObject {
    Q_OBJECT

    // Every original row keeps every original column value; `ignored` lists "table.column" the original's own
    // migrations rewrite on purpose.
    void upgradeKeepsRows(const QString &fixture, int fromVersion, const QStringList &ignored) {
        TestDatabase testDb;
        QSqlDatabase raw = QSqlDatabase::database(testDb.connectionName());
        loadFixture(raw, fixture + (testDb.isMysql() ? ".mysql.sql" : ".sqlite.sql"));
        QMap<QString, Rows> before;
        for (const auto &[table, key] : kTables)
            if (raw.tables().contains(table))
                before.insert(table, snapshot(raw, table, key));
        const Rows migrationsBefore = snapshot(raw, "migrations", "migration_id");
        QCOMPARE(migrationsBefore.size(), fromVersion);

        QString error;
        auto database = store::Database::open(configFor(testDb), &error);
        QVERIFY2(database, qPrintable(error));
        QVERIFY2(database->migrate(&error), qPrintable(error));

        for (auto it = before.begin(); it != before.end(); ++it) {
            const Rows after = snapshot(raw, it.key(), it.key() == "file_sha256_cache" ? "file_name" : "id");
            QCOMPARE(after.size(), it.value().size());
            for (int i = 0; i < after.size(); ++i) {
                const QVariantMap &old = it.value()[i];
                for (auto column = old.begin(); column != old.end(); ++column) {
                    if (ignored.contains(it.key() + '.' + column.key()))
                        continue;
                    QVERIFY2(
                        after[i].value(column.key()) == column.value(),
                        qPrintable(
                            QStringLiteral("%1.%2 of row %3 changed").arg(it.key(), column.key()).arg(i)));
                }
            }
        }
        const Rows migrationsAfter = snapshot(raw, "migrations", "migration_id");
        QCOMPARE(migrationsAfter.size(), latestVersion());
        for (int i = 0; i < fromVersion; ++i)
            QCOMPARE(migrationsAfter[i], migrationsBefore[i]);
        QCOMPARE(migrationsAfter.last().value("migration_id").toInt(), latestVersion());
        // New columns got their documented values.
        for (const QVariantMap &row : snapshot(raw, "model_metadata", "id")) {
            QVERIFY(row.contains("model_type"));
            QVERIFY(row.contains("updates_disabled"));
        }
        QVERIFY(raw.tables().contains("jobs"));
    }

    static int latestVersion() {
        return store::Migrator(QSqlDatabase(), "sqlite").available().last().version;
    }

private slots:
    void bothDialectsHaveTheSameSteps() {
        const auto sqlite = store::Migrator(QSqlDatabase(), "sqlite").available();
        const auto mysql = store::Migrator(QSqlDatabase(), "mysql").available();
        QCOMPARE(sqlite.size(), mysql.size());
        QVERIFY(sqlite.size() >= 9);
        for (int i = 0; i < sqlite.size(); ++i) {
            QCOMPARE(sqlite[i].version, i + 1);
            QCOMPARE(sqlite[i].name, mysql[i].name);
        }
        // The original's migration names are kept, so its v1..v8 line up with ours.
        QCOMPARE(mysql[0].name, QStringLiteral("initialize_tables"));
        QCOMPARE(mysql[7].name, QStringLiteral("add_disable_update_flag_to_metadata"));
    }

    void emptyDatabaseGetsTheWholeSchema() {
        TestDatabase testDb;
        QString error;
        auto database = store::Database::open(configFor(testDb), &error);
        QVERIFY2(database, qPrintable(error));
        QVERIFY2(database->migrate(&error), qPrintable(error));
        QSqlDatabase raw = QSqlDatabase::database(testDb.connectionName());
        QCOMPARE(columns(raw, "image_categories"), QStringList({"id", "name64", "owner_id"}));
        QCOMPARE(columns(raw, "images"),
                 QStringList({"category_id", "created_at", "id", "image_data", "info_data64", "message_id",
                              "owner_id", "preview_data"}));
        QCOMPARE(columns(raw, "migrations"), QStringList({"migration_id", "migration_timestamp"}));
        QCOMPARE(columns(raw, "models"), QStringList({"friendly_name", "id", "is_restricted", "model_name"}));
        QCOMPARE(columns(raw, "model_metadata"),
                 QStringList({"hash", "id", "metadata_cache", "metadata_id", "metadata_provider",
                              "metadata_updated_at", "model_type", "updates_disabled"}));
        QCOMPARE(columns(raw, "users"), QStringList({"created_at", "id", "role", "updated_at"}));
        QCOMPARE(columns(raw, "file_sha256_cache"), QStringList({"created_at", "file_name", "sha256_sum"}));
        QVERIFY(columns(raw, "jobs").contains("sequence"));
        const Rows applied = snapshot(raw, "migrations", "migration_id");
        QCOMPARE(applied.size(), latestVersion());
        for (int i = 0; i < applied.size(); ++i)
            QCOMPARE(applied[i].value("migration_id").toInt(), i + 1);

        // Defaults as in the original: a user row gets role 1 and timestamps; a model is unrestricted.
        QSqlQuery query(raw);
        QVERIFY(query.exec("INSERT INTO users (id) VALUES (123456789012345678)"));
        QVERIFY(query.exec("SELECT role, created_at, updated_at FROM users"));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 1);
        QVERIFY(!query.value(1).isNull());
        QVERIFY(!query.value(2).isNull());
        QVERIFY(query.exec("INSERT INTO models (model_name) VALUES ('m')"));
        QVERIFY(query.exec("SELECT is_restricted FROM models"));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 0);

        // A second start is a no-op.
        QVERIFY2(database->migrate(&error), qPrintable(error));
        QCOMPARE(snapshot(raw, "migrations", "migration_id").size(), latestVersion());
    }

    void upgradeFromOriginalV4() {
        // The original's v5 marks cached metadata stale by rewriting metadata_updated_at; that is the one
        // change.
        upgradeKeepsRows("original_v4", 4, {"model_metadata.metadata_updated_at"});
    }

    void upgradeFromOriginalV8() { upgradeKeepsRows("original_v8", 8, {}); }

    void newerSchemaIsRefused() {
        TestDatabase testDb;
        QString error;
        auto database = store::Database::open(configFor(testDb), &error);
        QVERIFY(database->migrate(&error));
        QSqlQuery(QSqlDatabase::database(testDb.connectionName()))
            .exec("INSERT INTO migrations (migration_id) VALUES (999)");
        QVERIFY(!database->migrate(&error));
        QVERIFY2(error.contains("v999"), qPrintable(error));
    }

    void workRunsOnThePoolAndErrorsArriveAsDbError() {
        TestDatabase testDb;
        QString error;
        auto database = store::Database::open(configFor(testDb), &error);
        QVERIFY(database->migrate(&error));
        QThread *mainThread = QThread::currentThread();
        auto future = database->run<QPair<int, bool>>([mainThread](QSqlDatabase &db) {
            store::exec(db, "INSERT INTO image_categories (name64, owner_id) VALUES (?, ?)",
                        {"bmFtZQ==", "1"});
            QSqlQuery query = store::exec(db, "SELECT COUNT(*) FROM image_categories");
            query.next();
            return qMakePair(query.value(0).toInt(), QThread::currentThread() != mainThread);
        });
        future.waitForFinished();
        QCOMPARE(future.result().first, 1);
        QVERIFY(future.result().second);

        bool failed = false;
        auto failing =
            database->run<int>([](QSqlDatabase &db) { return store::exec(db, "SELECT * FROM nope").size(); })
                .onFailed([&failed](const store::DbError &e) {
                    failed = e.message().contains("nope");
                    return -1;
                });
        failing.waitForFinished();
        QVERIFY(failed);
        QCOMPARE(failing.result(), -1);

        // A rolled-back transaction leaves nothing behind.
        auto rolledBack = database->run<int>([](QSqlDatabase &db) {
            try {
                store::transaction<void>(db, [](QSqlDatabase &tx) {
                    store::exec(tx, "INSERT INTO image_categories (name64, owner_id) VALUES ('eA==', '2')");
                    throw store::DbError("boom");
                });
            } catch (const store::DbError &) {
            }
            QSqlQuery query = store::exec(db, "SELECT COUNT(*) FROM image_categories");
            query.next();
            return query.value(0).toInt();
        });
        rolledBack.waitForFinished();
        QCOMPARE(rolledBack.result(), 1);
    }

    void navigatorExitsThreeWhenTheDatabaseIsUnreachable() {
        QProcessEnvironment env;
        env.insert("SECRET_KEY", "x");
        env.insert("DB_DRIVER", "mysql");
        env.insert("DB_HOST", "127.0.0.1");
        env.insert("DB_PORT", QString::number(freePort())); // nothing listens there
        ChildProcess process;
        QVERIFY(process.start(binPath("navigator"), {"--env-file", "/dev/null"}, env));
        QVERIFY(process.waitForExit(20000));
        QCOMPARE(process.exitCode(), 3);
        QVERIFY(process.output().contains("cannot reach the database"));
    }

    void navigatorExitsThreeOnAMigrationFailure() {
        TestDatabase testDb;
        QSqlQuery raw(QSqlDatabase::database(testDb.connectionName()));
        QVERIFY(raw.exec(
            "CREATE TABLE migrations (migration_id int not null unique, migration_timestamp datetime null)"));
        QVERIFY(raw.exec("INSERT INTO migrations (migration_id) VALUES (500)"));
        QProcessEnvironment env;
        env.insert("SECRET_KEY", "x");
        const auto vars = testDb.envVars();
        for (auto it = vars.begin(); it != vars.end(); ++it)
            env.insert(it.key(), it.value());
        ChildProcess process;
        QVERIFY(process.start(binPath("navigator"), {"--env-file", "/dev/null"}, env));
        QVERIFY(process.waitForExit(20000));
        QCOMPARE(process.exitCode(), 3);
        QVERIFY(process.output().contains("v500"));
    }
};

QTEST_GUILESS_MAIN(MigrationsTest)
#include "tst_migrations.moc"
