// LoRA endpoints against navigator without a Forge behind it: authentication, the query-boolean parsing of
// forge_only / force_update_metadata ("false" is false), the role needed to force a metadata update,
// ENABLE_LORA_SUPPORT off, 502 when Forge is down, and local overrides (roles, validation, stored format).
#include "tests/support/TestUsers.h"

#include <QSqlQuery>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kApprentice = QStringLiteral("100000000000000001");
const QString kArtificer = QStringLiteral("200000000000000002");
const QString kArchitect = QStringLiteral("300000000000000003");
} // namespace

class TestLoraApi : public QObject {
    Q_OBJECT
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<NavigatorInstance> m_nav;

    void startNavigator(const QHash<QString, QString> &env) {
        m_nav.reset();
        m_nav = std::make_unique<NavigatorInstance>(*m_db, env);
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(seedUser(*m_db, kApprentice, 1));
        QVERIFY(seedUser(*m_db, kArtificer, 2));
        QVERIFY(seedUser(*m_db, kArchitect, 3));
    }
    HttpReply get(const QString &path, const QString &user, int role) {
        return http("GET", m_nav->url(path), {},
                    {{"Authorization", bearerToken(m_nav->secretKey(), user, role)}});
    }
    HttpReply post(const QString &path, const QByteArray &body, const QString &user, int role) {
        return http("POST", m_nav->url(path), body,
                    {{"Authorization", bearerToken(m_nav->secretKey(), user, role)},
                     {"Content-Type", "application/json"}});
    }

private slots:
    void init() { m_db = std::make_unique<TestDatabase>(); }
    void cleanup() {
        m_nav.reset();
        m_db.reset();
    }

    void disabledAnswersAnEmptyList() {
        startNavigator({});
        QCOMPARE(http("GET", m_nav->url("/api/models/loras")).status, 401);
        const HttpReply reply = get("/api/models/loras", kApprentice, 1);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.trimmed(), QByteArray("[]"));
        QCOMPARE(get("/api/models/loras?forge_only=true", kApprentice, 1).body.trimmed(), QByteArray("[]"));
    }

    void queryBooleansAndTheForceRole_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("role");
        QTest::addColumn<int>("status");
        QTest::newRow("force false, apprentice") << "force_update_metadata=false" << 1 << 200;
        QTest::newRow("both false, apprentice") << "forge_only=false&force_update_metadata=false" << 1 << 200;
        QTest::newRow("force 0, apprentice") << "force_update_metadata=0" << 1 << 200;
        QTest::newRow("force empty, apprentice") << "force_update_metadata=" << 1 << 200;
        QTest::newRow("force true, apprentice") << "force_update_metadata=true" << 1 << 403;
        QTest::newRow("force TRUE, apprentice") << "force_update_metadata=TRUE" << 1 << 403;
        QTest::newRow("force true with forge_only, apprentice")
            << "forge_only=true&force_update_metadata=true" << 1 << 403;
        QTest::newRow("force true, artificer") << "force_update_metadata=true" << 2 << 200;
        QTest::newRow("force true, architect") << "force_update_metadata=true" << 3 << 200;
    }
    void queryBooleansAndTheForceRole() {
        QFETCH(QString, query);
        QFETCH(int, role);
        QFETCH(int, status);
        startNavigator({});
        const QString user = role == 1 ? kApprentice : role == 2 ? kArtificer : kArchitect;
        const HttpReply reply = get("/api/models/loras?" + query, user, role);
        QCOMPARE(reply.status, status);
        if (status == 403)
            QVERIFY(reply.json().value("error").isString());
    }

    void enabledWithForgeDownIs502() {
        startNavigator({{"ENABLE_LORA_SUPPORT", "true"}});
        for (const char *path : {"/api/models/loras", "/api/models/loras?forge_only=true"}) {
            const HttpReply reply = get(path, kApprentice, 1);
            QCOMPARE(reply.status, 502);
            QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("BACKEND_UNAVAILABLE"));
        }
    }

    void overrides() {
        startNavigator({});
        const QByteArray valid =
            "{\"name\":\"Detail Tweaker\",\"description\":\"Adds detail\",\"nsfw\":false,"
            "\"baseModel\":\"SD 1.5\",\"trainedWords\":[\"detailed\"],\"extra\":1}";
        QCOMPARE(http("POST", m_nav->url("/api/models/loras/override/abc123"), valid).status, 401);
        QCOMPARE(post("/api/models/loras/override/abc123", valid, kArtificer, 2).status, 403);

        for (const QByteArray &bad :
             {QByteArray("{\"name\":\"x\",\"description\":\"d\",\"baseModel\":\"b\"}"),
              QByteArray("{\"name\":\"x\",\"description\":\"d\",\"nsfw\":\"no\",\"baseModel\":\"b\"}"),
              QByteArray("{\"name\":\"x\",\"description\":\"d\",\"nsfw\":false,\"baseModel\":\"b\","
                         "\"trainedWords\":[1]}"),
              QByteArray("{\"name\":\"x\",\"description\":\"d\",\"nsfw\":false,\"baseModel\":\"b\","
                         "\"images\":\"u\"}"),
              QByteArray("{\"name\":\"\",\"description\":\"d\",\"nsfw\":false,\"baseModel\":\"b\"}"),
              QByteArray("[1,2]"), QByteArray("{not json")}) {
            const HttpReply reply = post("/api/models/loras/override/abc123", bad, kArchitect, 3);
            QVERIFY2(reply.status == 400, bad.constData());
            QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("INVALID_OVERRIDE"));
        }

        const HttpReply ok = post("/api/models/loras/override/abc123", valid, kArchitect, 3);
        QCOMPARE(ok.status, 200);
        QVERIFY(ok.json().value("message").toString().contains("Detail Tweaker"));
        QSqlQuery query(QSqlDatabase::database(m_db->connectionName()));
        QVERIFY(query.exec(
            "SELECT metadata_provider, model_type, metadata_cache, metadata_id FROM model_metadata "
            "WHERE hash = 'abc123'"));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QCOMPARE(query.value(1).toInt(), 0);
        const QJsonObject stored =
            QJsonDocument::fromJson(QByteArray::fromBase64(query.value(2).toByteArray())).object();
        QCOMPARE(stored.value("name").toString(), QStringLiteral("Detail Tweaker"));
        QCOMPARE(stored.value("nsfw"), QJsonValue(false));
        QCOMPARE(stored.value("trainedWords").toArray().size(), 1);
        QVERIFY(!stored.contains("extra"));
        // A second override replaces the first.
        QCOMPARE(post("/api/models/loras/override/abc123", valid, kArchitect, 3).status, 200);
        QVERIFY(query.exec("SELECT COUNT(*) FROM model_metadata WHERE hash = 'abc123'"));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestLoraApi)
#include "tst_loraapi.moc"
