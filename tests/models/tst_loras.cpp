// GET /api/models/loras against navigator, forge-sim and a fake CivitAI: Forge's LoRAs merged with CivitAI
// metadata (shape and JSON types), caching in model_metadata, hashes CivitAI does not know remembered,
// forced updates, refresh of stale metadata (and updates_disabled), local overrides and forge_only.
#include "tests/models/FakeCivitai.h"
#include "tests/support/ForgeSimProcess.h"
#include "tests/support/TestUsers.h"

#include <QCryptographicHash>
#include <QDir>
#include <QSqlQuery>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kApprentice = QStringLiteral("100000000000000001");
const QString kArtificer = QStringLiteral("200000000000000002");
const QString kArchitect = QStringLiteral("300000000000000003");
// forge-sim's LoRA add_detail carries an sshs_model_hash (its first 12 characters are the key); my_style has
// no metadata and is known by the SHA-256 of its file under MODEL_DIR/Lora.
const QString kAddDetailKey = QStringLiteral("7c6bad76eb54");
} // namespace

class TestLoras : public QObject {
    Q_OBJECT
    std::unique_ptr<ForgeSimProcess> m_sim;
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FakeCivitai> m_civitai;
    std::unique_ptr<QTemporaryDir> m_models;
    std::unique_ptr<NavigatorInstance> m_nav;

    HttpReply get(const QString &path, const QString &user = kApprentice, int role = 1) {
        return http("GET", m_nav->url(path), {},
                    {{"Authorization", bearerToken(m_nav->secretKey(), user, role)}});
    }
    int civitaiCalls(const QByteArray &pathPart) const {
        int n = 0;
        for (const auto &seen : m_civitai->seen)
            n += seen.path.contains(pathPart);
        return n;
    }
    void sql(const QString &statement) {
        QSqlQuery query(QSqlDatabase::database(m_db->connectionName()));
        QVERIFY2(query.exec(statement), qPrintable(statement));
    }
    int count(const QString &statement) {
        QSqlQuery query(QSqlDatabase::database(m_db->connectionName()));
        return query.exec(statement) && query.next() ? query.value(0).toInt() : -1;
    }
    QJsonObject addDetailVersion(int id, const QString &name) {
        QJsonObject version = m_civitai->addVersion(id, "LORA", "add_detail.safetensors", "x");
        version.insert("name", name);
        m_civitai->versionsById.insert(QString::number(id), version);
        return version;
    }

private slots:
    void initTestCase() {
        m_sim = std::make_unique<ForgeSimProcess>();
        QVERIFY2(m_sim->start(), m_sim->output().constData());
    }
    void init() {
        m_db = std::make_unique<TestDatabase>();
        m_civitai = std::make_unique<FakeCivitai>();
        QVERIFY(m_civitai->listen());
        m_models = std::make_unique<QTemporaryDir>();
        m_nav =
            std::make_unique<NavigatorInstance>(*m_db, QHash<QString, QString>{
                                                           {"SD_API_HOST", m_sim->sdApiHost()},
                                                           {"ENABLE_LORA_SUPPORT", "true"},
                                                           {"MODEL_DIR", m_models->path()},
                                                           {"CIVITAI_API_BASE", m_civitai->base().toString()},
                                                           {"CIVITAI_API_KEY", m_civitai->validKey},
                                                       });
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(seedUser(*m_db, kApprentice, 1));
        QVERIFY(seedUser(*m_db, kArtificer, 2));
        QVERIFY(seedUser(*m_db, kArchitect, 3));
    }
    void cleanup() {
        m_nav.reset();
        m_civitai.reset();
        m_models.reset();
        m_db.reset();
    }
    void cleanupTestCase() { m_sim.reset(); }

    void mergedWithCivitaiAndCached() {
        m_civitai->versionsByHash.insert(kAddDetailKey, addDetailVersion(777, "v1.0"));
        const HttpReply reply = get("/api/models/loras?forge_only=false&force_update_metadata=false");
        QCOMPARE(reply.status, 200);
        const QJsonArray loras = reply.jsonArray();
        QCOMPARE(loras.size(), 1);
        const QJsonObject lora = loras.first().toObject();
        QCOMPARE(lora.value("alias").toString(), QStringLiteral("add_detail"));
        QCOMPARE(lora.value("name").toString(), QStringLiteral("v1.0"));
        QCOMPARE(lora.value("nsfw"), QJsonValue(false));
        QCOMPARE(lora.value("provider").toInt(), 1);
        QVERIFY(lora.value("forge").toObject().value("path").isString());
        QVERIFY(!lora.value("forge").toObject().value("metadata").toObject().contains("ss_tag_frequency"));
        const QJsonObject civitai = lora.value("civitai").toObject();
        QCOMPARE(civitai.value("id").toInt(), 777);
        QVERIFY(civitai.value("modelId").isDouble());
        QVERIFY(civitai.value("model").toObject().value("name").isString());
        QVERIFY(civitai.value("model").toObject().value("description").isString());
        QVERIFY(civitai.value("baseModel").isString());
        QVERIFY(civitai.value("trainedWords").isArray());
        QCOMPARE(civitai.value("images").toArray().size(), 1); // only the first image is kept
        QVERIFY(civitai.value("images").toArray().first().toObject().value("url").isString());
        QVERIFY(!lora.contains("localOverride"));

        // The cache row is written just after the answer.
        QTRY_COMPARE_WITH_TIMEOUT(count("SELECT COUNT(*) FROM model_metadata WHERE metadata_id = 777"), 1,
                                  10000);
        QSqlQuery query(QSqlDatabase::database(m_db->connectionName()));
        QVERIFY(query.exec("SELECT metadata_provider, metadata_id FROM model_metadata WHERE hash = '" +
                           kAddDetailKey + "'"));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 1);
        QCOMPARE(query.value(1).toInt(), 777);

        // Cached: CivitAI is not asked again.
        const int asked = civitaiCalls("by-hash");
        QCOMPARE(get("/api/models/loras").jsonArray().size(), 1);
        QCOMPARE(civitaiCalls("by-hash"), asked);
        // A forced update asks again (by the stored version id) and needs role 2.
        QCOMPARE(get("/api/models/loras?force_update_metadata=true").status, 403);
        addDetailVersion(777, "v1.1");
        const HttpReply forced = get("/api/models/loras?force_update_metadata=true", kArtificer, 2);
        QCOMPARE(forced.status, 200);
        QCOMPARE(forced.jsonArray().first().toObject().value("name").toString(), QStringLiteral("v1.1"));
        QCOMPARE(civitaiCalls("model-versions/777"), 1);
    }

    void staleMetadataIsRefreshedUnlessDisabled() {
        m_civitai->versionsByHash.insert(kAddDetailKey, addDetailVersion(778, "old"));
        QCOMPARE(get("/api/models/loras").jsonArray().first().toObject().value("name").toString(),
                 QStringLiteral("old"));
        addDetailVersion(778, "new");
        // The cache row may be written just after the answer: wait for it before making it stale.
        QTRY_COMPARE_WITH_TIMEOUT(count("SELECT COUNT(*) FROM model_metadata WHERE metadata_id = 778"), 1,
                                  10000);
        sql("UPDATE model_metadata SET metadata_updated_at = '2000-01-01 00:00:00', updates_disabled = 1");
        QCOMPARE(get("/api/models/loras").jsonArray().first().toObject().value("name").toString(),
                 QStringLiteral("old"));
        sql("UPDATE model_metadata SET updates_disabled = 0");
        QCOMPARE(get("/api/models/loras").jsonArray().first().toObject().value("name").toString(),
                 QStringLiteral("new"));
        // The refreshed row is stored just after the answer too: wait for it (it is no longer stale).
        QTRY_COMPARE_WITH_TIMEOUT(
            count("SELECT COUNT(*) FROM model_metadata WHERE metadata_updated_at > '2001-01-01 00:00:00'"), 1,
            10000);
        // CivitAI gone with stale data: the cached copy is still served.
        sql("UPDATE model_metadata SET metadata_updated_at = '2000-01-01 00:00:00'");
        m_civitai->versionsById.clear();
        QCOMPARE(get("/api/models/loras").jsonArray().first().toObject().value("name").toString(),
                 QStringLiteral("new"));
    }

    void unknownHashesAreRemembered() {
        const QByteArray byHash = "by-hash/" + kAddDetailKey.toUtf8();
        QCOMPARE(get("/api/models/loras").body.trimmed(), QByteArray("[]"));
        QCOMPARE(civitaiCalls(byHash), 1);
        QCOMPARE(get("/api/models/loras").body.trimmed(), QByteArray("[]"));
        QCOMPARE(civitaiCalls(byHash), 1);
        m_civitai->versionsByHash.insert(kAddDetailKey, addDetailVersion(779, "found"));
        const HttpReply forced = get("/api/models/loras?force_update_metadata=true", kArtificer, 2);
        QCOMPARE(forced.jsonArray().size(), 1);
        QCOMPARE(civitaiCalls(byHash), 2);
    }

    void localOverrideWins() {
        const QByteArray body = "{\"name\":\"Detail\",\"description\":\"More detail\",\"nsfw\":true,"
                                "\"baseModel\":\"SD 1.5\",\"trainedWords\":[\"detailed\"]}";
        const HttpReply set = http("POST", m_nav->url("/api/models/loras/override/" + kAddDetailKey), body,
                                   {{"Authorization", bearerToken(m_nav->secretKey(), kArchitect, 3)},
                                    {"Content-Type", "application/json"}});
        QCOMPARE(set.status, 200);
        const QJsonObject lora = get("/api/models/loras").jsonArray().first().toObject();
        QCOMPARE(lora.value("provider").toInt(), 0);
        QCOMPARE(lora.value("nsfw"), QJsonValue(true));
        QCOMPARE(lora.value("name").toString(), QStringLiteral("add_detail"));
        const QJsonObject override = lora.value("localOverride").toObject();
        QCOMPARE(override.value("name").toString(), QStringLiteral("Detail"));
        QCOMPARE(override.value("baseModel").toString(), QStringLiteral("SD 1.5"));
        QCOMPARE(override.value("trainedWords").toArray().first().toString(), QStringLiteral("detailed"));
        QVERIFY(!lora.contains("civitai"));
        QCOMPARE(civitaiCalls("by-hash/" + kAddDetailKey.toUtf8()), 0);
    }

    void lorasWithoutMetadataAreKnownByTheirFileHash() {
        QVERIFY(QDir().mkpath(m_models->filePath("Lora/styles")));
        const QString path = m_models->filePath("Lora/styles/my_style.safetensors");
        auto write = [&](const QByteArray &content, const QDateTime &modified) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(content);
            file.close();
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.setFileTime(modified, QFileDevice::FileModificationTime));
        };
        auto sha = [](const QByteArray &content) {
            return QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
        };
        write("style-v1", QDateTime::currentDateTime().addSecs(-3600));
        QJsonObject version = m_civitai->addVersion(880, "LORA", "my_style.safetensors", "x");
        version.insert("name", "style v1");
        m_civitai->versionsByHash.insert(sha("style-v1"), version);

        QJsonArray loras = get("/api/models/loras").jsonArray();
        QCOMPARE(loras.size(), 1);
        QCOMPARE(loras.first().toObject().value("alias").toString(), QStringLiteral("my_style"));
        QCOMPARE(loras.first().toObject().value("name").toString(), QStringLiteral("style v1"));
        const auto hashed = [this](const QString &sum) {
            return count(
                "SELECT COUNT(*) FROM file_sha256_cache WHERE file_name = 'my_style' AND sha256_sum = '" +
                sum + "'");
        };
        QTRY_COMPARE_WITH_TIMEOUT(hashed(sha("style-v1")), 1, 10000);

        // Other content with an old modification time: the cached sum is used, the file is not read again.
        write("style-v2", QDateTime::currentDateTime().addSecs(-3600));
        QCOMPARE(get("/api/models/loras").jsonArray().first().toObject().value("name").toString(),
                 QStringLiteral("style v1"));
        // A file changed after it was hashed is hashed again.
        version.insert("id", 881);
        version.insert("name", "style v2");
        m_civitai->versionsByHash.insert(sha("style-v2"), version);
        write("style-v2", QDateTime::currentDateTime().addSecs(5));
        QCOMPARE(get("/api/models/loras").jsonArray().first().toObject().value("name").toString(),
                 QStringLiteral("style v2"));
        QTRY_COMPARE_WITH_TIMEOUT(hashed(sha("style-v2")), 1, 10000);
    }

    void forgeOnlyIsForgesList() {
        const HttpReply reply = get("/api/models/loras?forge_only=true");
        QCOMPARE(reply.status, 200);
        const QJsonObject lora = reply.jsonArray().first().toObject();
        QCOMPARE(lora.value("name").toString(), QStringLiteral("add_detail"));
        QVERIFY(lora.value("metadata").toObject().contains("sshs_model_hash"));
        QVERIFY(!lora.value("metadata").toObject().contains("ss_tag_frequency"));
        QCOMPARE(m_civitai->seen.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLoras)
#include "tst_loras.moc"
