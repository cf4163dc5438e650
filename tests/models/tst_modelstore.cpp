// The repositories of this area on SQLite and MariaDB (NAVIGATOR_TEST_DB): models rows with their JSON-ready
// types, model_metadata in the original's base64 format (rows written by the original read back, ours
// readable by it), updates_disabled left alone, and the file_sha256_cache.
#include "server/store/Database.h"
#include "server/store/FileHashRepository.h"
#include "server/store/ModelMetadataRepository.h"
#include "server/store/ModelRepository.h"
#include "tests/support/TestSupport.h"

#include <QSqlError>
#include <QtTest>

using namespace nav;
using nav::test::TestDatabase;

namespace {

template <typename T> T wait(QFuture<T> future) {
    future.waitForFinished();
    return future.result();
}

void sql(const TestDatabase &db, const QString &statement) {
    QSqlQuery query(QSqlDatabase::database(db.connectionName()));
    if (!query.exec(statement))
        qFatal("%s: %s", qPrintable(statement), qPrintable(query.lastError().text()));
}

} // namespace

class TestModelStore : public QObject {
    Q_OBJECT
    std::unique_ptr<TestDatabase> m_testDb;
    std::unique_ptr<store::Database> m_db;

private slots:
    void init() {
        m_testDb = std::make_unique<TestDatabase>();
        config::EnvMap env{{"SECRET_KEY", "x"}};
        const auto vars = m_testDb->envVars();
        for (auto it = vars.begin(); it != vars.end(); ++it)
            env.insert(it.key(), it.value());
        QString error;
        m_db = store::Database::open(std::get<config::Config>(config::loadConfig({}, env)).db, &error);
        QVERIFY2(m_db, qPrintable(error));
        QVERIFY2(m_db->migrate(&error), qPrintable(error));
    }
    void cleanup() {
        m_db.reset();
        m_testDb.reset();
    }

    void knownModels() {
        sql(*m_testDb, "INSERT INTO models (model_name, friendly_name, is_restricted) VALUES "
                       "('sd_xl_base_1.0', 'SDXL Base', 0), ('nsfw_model', NULL, 1)");
        store::ModelRepository repo(*m_db);
        const auto models = wait(repo.all());
        QCOMPARE(models.size(), 2);
        QCOMPARE(models[0].modelName, QStringLiteral("sd_xl_base_1.0"));
        QCOMPARE(models[0].friendlyName.value_or(""), QStringLiteral("SDXL Base"));
        QVERIFY(!models[0].isRestricted);
        QVERIFY(models[0].id > 0);
        QVERIFY(!models[1].friendlyName);
        QVERIFY(models[1].isRestricted);
    }

    void metadataRoundTripAndOriginalFormat() {
        store::ModelMetadataRepository repo(*m_db);
        QVERIFY(!wait(repo.find("abcdef123456")));
        store::ModelMetadata row;
        row.hash = "abcdef123456";
        row.metadata = "{\"id\":42,\"name\":\"v1\",\"model\":{\"nsfw\":false}}";
        row.metadataId = 42;
        QVERIFY(wait(repo.save(row)));
        const auto found = wait(repo.find("abcdef123456"));
        QVERIFY(found);
        QCOMPARE(found->metadata, row.metadata);
        QCOMPARE(found->provider, 1);
        QCOMPARE(found->modelType, 0);
        QCOMPARE(found->metadataId.value_or(0), 42);
        QVERIFY(qAbs(found->updatedAt.secsTo(QDateTime::currentDateTime())) < 120);
        QVERIFY(!found->updatesDisabled);

        // Stored as base64 of the JSON text, like the original's TO_BASE64.
        QSqlQuery raw(QSqlDatabase::database(m_testDb->connectionName()));
        QVERIFY(raw.exec("SELECT metadata_cache FROM model_metadata WHERE hash = 'abcdef123456'"));
        QVERIFY(raw.next());
        QCOMPARE(QByteArray::fromBase64(raw.value(0).toByteArray()), row.metadata);

        // A row as the original writes it: TO_BASE64 breaks lines every 76 characters; updates disabled.
        const QByteArray json =
            "{\"id\":7,\"name\":\"an old version with a name long enough to wrap the base64\",\"model\":{}}";
        QByteArray wrapped = json.toBase64();
        wrapped.insert(76, '\n');
        sql(*m_testDb,
            QStringLiteral("INSERT INTO model_metadata (hash, model_type, metadata_cache, metadata_provider, "
                           "metadata_id, metadata_updated_at, updates_disabled) VALUES ('old', 0, '%1', 1, "
                           "7, '2000-01-01 00:00:00', 1)")
                .arg(QString::fromLatin1(wrapped)));
        const auto old = wait(repo.find("old"));
        QVERIFY(old);
        QCOMPARE(old->metadata, json);
        QCOMPARE(old->updatedAt, QDateTime(QDate(2000, 1, 1), QTime(0, 0)));
        QVERIFY(old->updatesDisabled);

        // Saving over it updates the data but leaves updates_disabled as the administrator set it.
        store::ModelMetadata replacement = *old;
        replacement.metadata = "{\"id\":8,\"name\":\"new\"}";
        replacement.provider = 0;
        QVERIFY(wait(repo.save(replacement)));
        const auto updated = wait(repo.find("old"));
        QCOMPARE(updated->metadata, replacement.metadata);
        QCOMPARE(updated->provider, 0);
        QVERIFY(updated->updatesDisabled);
        QVERIFY(updated->updatedAt > old->updatedAt);
        // Saving the same data twice in a row is fine (MariaDB reports no changed rows).
        QVERIFY(wait(repo.save(replacement)));
        QVERIFY(wait(repo.save(replacement)));
    }

    void fileHashes() {
        store::FileHashRepository repo(*m_db);
        QVERIFY(!wait(repo.find("my_lora")));
        const QString first(64, 'a');
        QVERIFY(wait(repo.save("my_lora", first)));
        const auto found = wait(repo.find("my_lora"));
        QVERIFY(found);
        QCOMPARE(found->sha256, first);
        QVERIFY(qAbs(found->createdAt.secsTo(QDateTime::currentDateTime())) < 120);
        const QString second(64, 'b');
        QVERIFY(wait(repo.save("my_lora", second)));
        QCOMPARE(wait(repo.find("my_lora"))->sha256, second);
    }
};

QTEST_GUILESS_MAIN(TestModelStore)
#include "tst_modelstore.moc"
