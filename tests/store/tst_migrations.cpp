// Migrations on empty SQLite/MariaDB databases, in-place upgrades of databases the original Navigator left at
// v4 and v8 (no original row may change or be lost), refusal of a newer schema, and the async worker pool.
#include "server/store/Database.h"
#include "server/store/Migrator.h"
#include "server/store/SqlScript.h"
#include "tests/support/TestDatabaseConfig.h"
#include "tests/support/TestSupport.h"

#include <QSqlError>
#include <QSqlRecord>
#include <QThread>
#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

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

// SQLite's type affinity rules (section 3.1 of its datatype page): what a declared type really means.
QString sqliteAffinity(const QString &declared) {
    const QString type = declared.toUpper();
    if (type.contains("INT"))
        return "INTEGER";
    if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT"))
        return "TEXT";
    if (type.isEmpty() || type.contains("BLOB"))
        return "BLOB";
    if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB"))
        return "REAL";
    return "NUMERIC";
}

QStringList queryLines(const QSqlDatabase &db, const QString &sql) {
    QSqlQuery query(db);
    if (!query.exec(sql))
        qFatal("%s failed: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    QStringList lines;
    while (query.next()) {
        QStringList fields;
        for (int i = 0; i < query.record().count(); ++i)
            fields << (query.value(i).isNull() ? QStringLiteral("NULL") : query.value(i).toString());
        lines << fields.join('|');
    }
    return lines;
}

// Every column's definition, every index and every foreign key, as comparable text. MariaDB: exact types,
// defaults, nullability, column order and character sets. SQLite: names, affinity, NOT NULL and keys (its
// ALTER TABLE appends columns, so the order is not compared).
QStringList schemaOf(const QSqlDatabase &db, bool mysql) {
    if (mysql) {
        return queryLines(db, "SELECT table_name, ordinal_position, column_name, column_type, is_nullable, "
                              "column_default, extra, character_set_name FROM information_schema.columns "
                              "WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position") +
               queryLines(db, "SELECT table_name, index_name, non_unique, seq_in_index, column_name "
                              "FROM information_schema.statistics WHERE table_schema = DATABASE() "
                              "ORDER BY table_name, index_name, seq_in_index") +
               queryLines(db, "SELECT constraint_name, table_name, referenced_table_name, delete_rule, "
                              "update_rule FROM information_schema.referential_constraints "
                              "WHERE constraint_schema = DATABASE() ORDER BY constraint_name");
    }
    QStringList lines;
    QStringList tables = db.tables();
    tables.removeAll("sqlite_sequence");
    tables.sort();
    for (const QString &table : tables) {
        QStringList columnLines;
        QSqlQuery info(db);
        info.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table));
        while (info.next())
            columnLines << QStringLiteral("%1|%2|%3|notnull=%4|pk=%5")
                               .arg(table, info.value("name").toString(),
                                    sqliteAffinity(info.value("type").toString()),
                                    info.value("notnull").toString(), info.value("pk").toString());
        columnLines.sort();
        lines += columnLines;
        QSqlQuery keys(db);
        keys.exec(QStringLiteral("PRAGMA foreign_key_list(%1)").arg(table));
        while (keys.next())
            lines << QStringLiteral("%1|fk %2->%3.%4 on delete %5")
                         .arg(table, keys.value("from").toString(), keys.value("table").toString(),
                              keys.value("to").toString(), keys.value("on_delete").toString());
    }
    return lines;
}

bool migrateFresh(const TestDatabase &testDb, QString *error) {
    auto database = store::Database::open(databaseConfigFor(testDb), error);
    return database && database->migrate(error);
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
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
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
        QVERIFY(raw.tables().contains("discord_profiles"));
    }

    static int latestVersion() {
        return store::Migrator(QSqlDatabase(), "sqlite").available().last().version;
    }

private slots:
    void stepFileNames_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("version"); // 0: not a migration
        QTest::addColumn<QString>("name");
        QTest::newRow("first") << "v1_initialize_tables.sql" << 1 << "initialize_tables";
        QTest::newRow("two digits") << "v12_add_x_to_y.sql" << 12 << "add_x_to_y";
        QTest::newRow("dots in the name") << "v3_a.b.sql" << 3 << "a.b";
        QTest::newRow("no number") << "v_name.sql" << 0 << "";
        QTest::newRow("not digits") << "v1a_name.sql" << 0 << "";
        QTest::newRow("no name") << "v1_.sql" << 0 << "";
        QTest::newRow("no underscore") << "v1.sql" << 0 << "";
        QTest::newRow("other extension") << "v1_name.sql.bak" << 0 << "";
        QTest::newRow("no v") << "1_name.sql" << 0 << "";
        QTest::newRow("arabic-indic digit") << QString::fromUtf8("v\u0661_name.sql") << 0 << "";
    }
    void stepFileNames() {
        QFETCH(QString, file);
        QFETCH(int, version);
        QFETCH(QString, name);
        const auto step = store::Migrator::stepOf(QStringLiteral(":/m"), file);
        QCOMPARE(step.has_value(), version != 0);
        if (!step)
            return;
        QCOMPARE(step->version, version);
        QCOMPARE(step->name, name);
        QCOMPARE(step->resource, ":/m/" + file);
    }

    void blockCommentsAreLeftOut() {
        const QString script = QStringLiteral("/* header\n spanning lines */\n"
                                              "CREATE TABLE a (x INT /* inline */, y INT);\n"
                                              "/* one */ INSERT INTO a VALUES (1, 2); /* two */\n"
                                              "SELECT '/* not closed';\n");
        const QStringList statements = store::splitSqlScript(script);
        QCOMPARE(statements, (QStringList{QStringLiteral("CREATE TABLE a (x INT , y INT)"),
                                          QStringLiteral("INSERT INTO a VALUES (1, 2)"),
                                          QStringLiteral("SELECT '/* not closed'")}));
    }

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
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
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

    // v10: the per-owner image list, its page count and the per-category count use the new indexes instead
    // of reading every images row (on SQLite the row includes the blobs).
    void imageListsUseTheV10Indexes() {
        TestDatabase testDb;
        QString error;
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
        QVERIFY2(database && database->migrate(&error), qPrintable(error));
        QSqlDatabase raw = QSqlDatabase::database(testDb.connectionName());
        QSqlQuery query(raw);
        QVERIFY(query.exec("INSERT INTO image_categories (name64, owner_id) VALUES ('Yw==', '1')"));
        // Enough rows over many owners and categories that an index is the cheaper plan on MariaDB too.
        for (int i = 0; i < 400; ++i) {
            query.prepare("INSERT INTO images (id, owner_id, category_id) VALUES (?, ?, ?)");
            query.addBindValue(QStringLiteral("img%1").arg(i));
            query.addBindValue(QString::number(i % 40));
            query.addBindValue(i % 40 == 0 ? QVariant(1) : QVariant(QMetaType::fromType<int>()));
            QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
        }
        const bool mysql = testDb.isMysql();
        QVERIFY(query.exec(mysql ? "ANALYZE TABLE images" : "ANALYZE"));
        const auto plan = [&](const QString &sql) {
            return queryLines(raw,
                              (mysql ? QStringLiteral("EXPLAIN ") : QStringLiteral("EXPLAIN QUERY PLAN ")) +
                                  sql)
                .join('\n');
        };
        const QString list = plan("SELECT id, category_id FROM images WHERE owner_id = '7' "
                                  "ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0");
        QVERIFY2(list.contains("images_owner_created"), qPrintable(list));
        const QString count = plan("SELECT COUNT(*) FROM images WHERE owner_id = '7'");
        QVERIFY2(count.contains("images_owner_created"), qPrintable(count));
        const QString category = plan("SELECT COUNT(*) FROM images WHERE category_id = 1");
        QVERIFY2(category.contains("images_category"), qPrintable(category));
    }

    // v10 moves the init image and mask of waiting jobs out of jobs.params into job_inputs.
    void v10MovesJobInputsOutOfParams() {
        TestDatabase testDb;
        QString error;
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
        QVERIFY2(database && database->migrate(&error), qPrintable(error));
        QSqlDatabase raw = QSqlDatabase::database(testDb.connectionName());
        QSqlQuery query(raw);
        // Back to v9, with a waiting img2img job as v9 stored it, and a finished one (v11's table goes too,
        // so that v10 and v11 run again in order).
        QVERIFY(query.exec("DROP TABLE discord_profiles"));
        QVERIFY(query.exec("DROP TABLE job_inputs"));
        QVERIFY(query.exec(testDb.isMysql() ? "DROP INDEX images_owner_created ON images"
                                            : "DROP INDEX images_owner_created"));
        // MariaDB keeps images_category as the foreign key's index, so it cannot be dropped; renamed instead.
        QVERIFY(query.exec(testDb.isMysql()
                               ? "ALTER TABLE images RENAME INDEX images_category TO images_category_v9"
                               : "DROP INDEX images_category"));
        QVERIFY(query.exec("DELETE FROM migrations WHERE migration_id >= 10"));
        QVERIFY(query.exec("INSERT INTO jobs (job_id, owner_id, task_type, status, params) VALUES "
                           "('waiting', '1', 'img2img', 'queued', "
                           "'{\"prompt\":\"p\",\"init_image\":\"aW5pdA==\",\"mask\":\"bWFzaw==\"}'), "
                           "('plain', '1', 'txt2img', 'finished', '{\"prompt\":\"q\"}')"));
        QVERIFY2(database->migrate(&error), qPrintable(error));
        QCOMPARE(queryLines(raw, "SELECT job_id, init_image, mask FROM job_inputs"),
                 QStringList{"waiting|aW5pdA==|bWFzaw=="});
        const QJsonObject params =
            QJsonDocument::fromJson(
                queryLines(raw, "SELECT params FROM jobs WHERE job_id = 'waiting'").value(0).toUtf8())
                .object();
        QCOMPARE(params.value("prompt").toString(), QString("p"));
        QVERIFY(!params.contains("init_image"));
        QVERIFY(!params.contains("mask"));
        QCOMPARE(queryLines(raw, "SELECT params FROM jobs WHERE job_id = 'plain'").value(0),
                 QString("{\"prompt\":\"q\"}"));
    }

    void upgradeFromOriginalV4() {
        // The original's v5 marks cached metadata stale by rewriting metadata_updated_at; that is the one
        // change.
        upgradeKeepsRows("original_v4", 4, {"model_metadata.metadata_updated_at"});
    }

    void upgradeFromOriginalV8() { upgradeKeepsRows("original_v8", 8, {}); }

    // Our migrations only add tables: every table of the original v8 schema keeps its exact definition
    // (columns, types, defaults, indexes, keys), so the original Navigator can still run on the database.
    void upgradeLeavesTheOriginalTablesAlone() {
        TestDatabase testDb;
        QSqlDatabase raw = QSqlDatabase::database(testDb.connectionName());
        loadFixture(raw, QStringLiteral("original_v8") + (testDb.isMysql() ? ".mysql.sql" : ".sqlite.sql"));
        QStringList originalTables = raw.tables();
        originalTables.removeAll("sqlite_sequence");
        QVERIFY(originalTables.contains("users"));
        const auto originalSchema = [&] {
            QStringList lines;
            // v10's two indexes on images are this project's deliberate addition (issue 13); on MariaDB its
            // images_category also takes the place of the index the foreign key had made on category_id.
            // Nothing else of the original tables may change.
            static const QRegularExpression v10Index(
                QStringLiteral("images_owner_created|^images\\|[^|]+\\|1\\|1\\|category_id$"));
            for (const QString &line : schemaOf(raw, testDb.isMysql()))
                if ((originalTables.contains(line.section('|', 0, 0)) ||
                     originalTables.contains(line.section('|', 1, 1))) &&
                    !line.contains(v10Index))
                    lines << line;
            return lines;
        };
        const QStringList before = originalSchema();
        QVERIFY(before.size() > 30);
        QString error;
        QVERIFY2(migrateFresh(testDb, &error), qPrintable(error));
        QCOMPARE(originalSchema(), before);
        QVERIFY(raw.tables().contains("discord_profiles"));
        QCOMPARE(columns(raw, "discord_profiles"),
                 QStringList({"avatar", "decided_at", "decided_by", "discord_id", "first_attempt_at",
                              "global_name", "last_attempt_at", "last_login_at", "refused_logins",
                              "request_attempts", "request_status", "username"}));
    }

    // A database the original left at v4 or v8 ends up with exactly the schema of a fresh install.
    void upgradedSchemaEqualsAFreshOne_data() {
        QTest::addColumn<QString>("fixture");
        QTest::newRow("v4") << "original_v4";
        QTest::newRow("v8") << "original_v8";
    }
    void upgradedSchemaEqualsAFreshOne() {
        QFETCH(QString, fixture);
        TestDatabase fresh;
        TestDatabase upgraded;
        loadFixture(QSqlDatabase::database(upgraded.connectionName()),
                    fixture + (upgraded.isMysql() ? ".mysql.sql" : ".sqlite.sql"));
        QString error;
        QVERIFY2(migrateFresh(fresh, &error), qPrintable(error));
        QVERIFY2(migrateFresh(upgraded, &error), qPrintable(error));
        const QStringList expected =
            schemaOf(QSqlDatabase::database(fresh.connectionName()), fresh.isMysql());
        const QStringList actual =
            schemaOf(QSqlDatabase::database(upgraded.connectionName()), upgraded.isMysql());
        QVERIFY(expected.size() > 40);
        for (int i = 0; i < qMax(expected.size(), actual.size()); ++i)
            QCOMPARE(actual.value(i), expected.value(i));
    }

    // A migration that fails stops the run with its version in the message; the steps before it stay
    // recorded and the failed one is not.
    void aFailingMigrationStopsAndIsNotRecorded() {
        TestDatabase testDb;
        QSqlDatabase raw = QSqlDatabase::database(testDb.connectionName());
        loadFixture(raw, QStringLiteral("original_v4") + (testDb.isMysql() ? ".mysql.sql" : ".sqlite.sql"));
        // v6 creates file_sha256_cache; a stray table of that name makes it fail.
        QVERIFY(QSqlQuery(raw).exec("CREATE TABLE file_sha256_cache (x int)"));
        QString error;
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
        QVERIFY2(database, qPrintable(error));
        QVERIFY(!database->migrate(&error));
        QVERIFY2(error.contains("v6"), qPrintable(error));
        const Rows applied = snapshot(raw, "migrations", "migration_id");
        QCOMPARE(applied.size(), 5);
        QCOMPARE(applied.last().value("migration_id").toInt(), 5);
    }

    void newerSchemaIsRefused() {
        TestDatabase testDb;
        QString error;
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
        QVERIFY(database->migrate(&error));
        QSqlQuery(QSqlDatabase::database(testDb.connectionName()))
            .exec("INSERT INTO migrations (migration_id) VALUES (999)");
        QVERIFY(!database->migrate(&error));
        QVERIFY2(error.contains("v999"), qPrintable(error));
    }

    void workRunsOnThePoolAndErrorsArriveAsDbError() {
        TestDatabase testDb;
        const qsizetype connectionsBefore = QSqlDatabase::connectionNames().size();
        QString error;
        auto database = store::Database::open(databaseConfigFor(testDb), &error);
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

        // The pool threads' connections go away with the Database.
        database.reset();
        QCOMPARE(QSqlDatabase::connectionNames().size(), connectionsBefore);
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
