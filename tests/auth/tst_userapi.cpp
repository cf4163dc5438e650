// The user API against the real navigator and a fresh database: response shapes and JSON types of the
// original, ownership on every route (another user's ids give 403/404, never data), role boundaries, a
// disable that blocks the very next request, and npm jsonwebtoken tokens accepted end to end.
#include "tests/support/ApiTestHelpers.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QtTest>

using namespace nav::test;

namespace {
const QString kAlice = QStringLiteral("111111111111111111");
const QString kBob = QStringLiteral("222222222222222222");
const QString kCarol = QStringLiteral("333333333333333333"); // disabled
const QString kAdmin = QStringLiteral("444444444444444444");
} // namespace

class UserApiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<NavigatorInstance> m_nav;
    QByteArray m_alice, m_bob, m_carol, m_admin;
    int m_imageSerial = 0;

    HttpReply as(const QByteArray &token, const QByteArray &method, const QString &path,
                 const QJsonObject &body = {}) {
        return call(*m_nav, method, path, token, body);
    }
    // An image row as the pipeline would write it, `secondsAgo` old.
    QString addImage(const QString &owner, int secondsAgo, const QVariant &category = QVariant()) {
        const QString id = QStringLiteral("img%1").arg(++m_imageSerial, 5, 10, QChar('0'));
        const QString created =
            QDateTime::currentDateTimeUtc().addSecs(-secondsAgo).toString("yyyy-MM-dd HH:mm:ss");
        if (!seed(*m_db, "INSERT INTO images (id, owner_id, created_at, category_id) VALUES (?, ?, ?, ?)",
                  {id, owner, created, category.isValid() ? category : QVariant(QMetaType::fromType<int>())}))
            return {};
        return id;
    }
    qint64 addCategory(const QByteArray &token, const QString &name) {
        const HttpReply reply = as(token, "POST", "/api/user/category", {{"name", name}});
        return reply.status == 200 ? reply.json().value("id").toInteger() : -1;
    }

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_nav = std::make_unique<NavigatorInstance>(*m_db);
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 1), (?, 1), (?, 0), (?, 3)",
                     {kAlice.toLongLong(), kBob.toLongLong(), kCarol.toLongLong(), kAdmin.toLongLong()}));
        m_alice = bearerFor(*m_nav, kAlice);
        m_bob = bearerFor(*m_nav, kBob);
        m_carol = bearerFor(*m_nav, kCarol);
        m_admin = bearerFor(*m_nav, kAdmin);
    }
    void cleanupTestCase() { m_nav.reset(); }

    void me() {
        const HttpReply reply = as(m_alice, "GET", "/api/user/me");
        QCOMPARE(reply.status, 200);
        const QJsonObject user = reply.json().value("user").toObject();
        QCOMPARE(user.value("discord_id").toString(), kAlice);
        QVERIFY(user.value("role").isDouble());
        QCOMPARE(user.value("role").toInt(), 1);
        QVERIFY(user.value("iat").isDouble());
        QVERIFY(user.value("exp").isDouble());
    }

    void everyRouteNeedsAValidUser_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::newRow("me") << QByteArray("GET") << "/api/user/me";
        QTest::newRow("jobs") << QByteArray("GET") << "/api/user/jobs";
        QTest::newRow("delete image") << QByteArray("DELETE") << "/api/user/image/x";
        QTest::newRow("meta") << QByteArray("GET") << "/api/user/image/x/meta";
        QTest::newRow("categorize") << QByteArray("PUT") << "/api/user/image/x/category";
        QTest::newRow("categories") << QByteArray("GET") << "/api/user/categories";
        QTest::newRow("create category") << QByteArray("POST") << "/api/user/category";
        QTest::newRow("rename category") << QByteArray("PATCH") << "/api/user/category/1";
        QTest::newRow("delete category") << QByteArray("DELETE") << "/api/user/category/1";
    }
    void everyRouteNeedsAValidUser() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QCOMPARE(as({}, method, path).status, 401);
        QCOMPARE(as("Bearer not.a.token", method, path).status, 401);
        const HttpReply disabled = as(m_carol, method, path);
        QCOMPARE(disabled.status, 403);
        QCOMPARE(disabled.json().value("error_code").toString(), QString("USER_DISABLED"));
        QCOMPARE(as(bearerFor(*m_nav, "555555555555555555"), method, path).status, 403); // unknown user
    }

    void jobsPagination() {
        QStringList newestFirst;
        for (int i = 0; i < 12; ++i)
            newestFirst.prepend(addImage(kAlice, 1000 - i * 10));
        addImage(kBob, 5); // never in Alice's list
        HttpReply reply = as(m_alice, "GET", "/api/user/jobs?page=1&limit=5&category_id=0");
        QCOMPARE(reply.status, 200);
        QJsonObject body = reply.json();
        for (const char *key : {"count", "totalPages", "currentPage"})
            QVERIFY2(body.value(key).isDouble(), key);
        QCOMPARE(body.value("count").toInt(), 12);
        QCOMPARE(body.value("totalPages").toInt(), 3);
        QCOMPARE(body.value("currentPage").toInt(), 1);
        QVERIFY(body.value("previousPage").isNull());
        QCOMPARE(body.value("nextPage").toInt(), 2);
        QJsonArray images = body.value("images").toArray();
        QCOMPARE(images.size(), 5);
        QCOMPARE(images[0].toObject().value("id").toString(), newestFirst[0]);
        QVERIFY(images[0].toObject().contains("category_id"));
        QVERIFY(images[0].toObject().value("category_id").isNull());

        body = as(m_alice, "GET", "/api/user/jobs?page=3&limit=5").json();
        QCOMPARE(body.value("images").toArray().size(), 2);
        QCOMPARE(body.value("previousPage").toInt(), 2);
        QVERIFY(body.value("nextPage").isNull());
        QCOMPARE(body.value("images").toArray().last().toObject().value("id").toString(), newestFirst.last());

        // Defaults and a capped limit.
        body = as(m_alice, "GET", "/api/user/jobs").json();
        QCOMPARE(body.value("images").toArray().size(), 10);
        QCOMPARE(body.value("currentPage").toInt(), 1);
        body = as(m_alice, "GET", "/api/user/jobs?limit=100000&page=abc").json();
        QCOMPARE(body.value("images").toArray().size(), 12);
        QCOMPARE(body.value("totalPages").toInt(), 1);
        QCOMPARE(as(m_alice, "GET", "/api/user/jobs?limit=-3&page=-1").status, 200);
    }

    void jobsCategoryFilter() {
        const qint64 category = addCategory(m_bob, "filter");
        QVERIFY(category > 0);
        const QString inCategory = addImage(kBob, 1, category);
        const int all = as(m_bob, "GET", "/api/user/jobs").json().value("count").toInt();
        QVERIFY(all >= 2);
        for (const char *noFilter : {"0", "null", "abc", ""})
            QCOMPARE(as(m_bob, "GET", QStringLiteral("/api/user/jobs?category_id=") + noFilter)
                         .json()
                         .value("count")
                         .toInt(),
                     all);
        const QJsonObject filtered =
            as(m_bob, "GET", QStringLiteral("/api/user/jobs?category_id=%1").arg(category)).json();
        QCOMPARE(filtered.value("count").toInt(), 1);
        const QJsonObject image = filtered.value("images").toArray().first().toObject();
        QCOMPARE(image.value("id").toString(), inCategory);
        QVERIFY(image.value("category_id").isDouble());
        QCOMPARE(image.value("category_id").toInteger(), category);
        // Bob's category id used by Alice finds none of Bob's images.
        QCOMPARE(as(m_alice, "GET", QStringLiteral("/api/user/jobs?category_id=%1").arg(category))
                     .json()
                     .value("count")
                     .toInt(),
                 0);
    }

    void imageMeta() {
        const QString mine = addImage(kAlice, 60);
        const HttpReply reply = as(m_alice, "GET", "/api/user/image/" + mine + "/meta");
        QCOMPARE(reply.status, 200);
        const QJsonObject meta = reply.json();
        QCOMPARE(meta.value("owner_id").toString(), kAlice);
        QVERIFY(meta.value("category_id").isNull());
        QVERIFY(meta.value("message_id").isNull());
        QVERIFY(QDateTime::fromString(meta.value("created_at").toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(meta.value("created_at").toString().endsWith('Z'));

        const HttpReply foreign = as(m_bob, "GET", "/api/user/image/" + mine + "/meta");
        QCOMPARE(foreign.status, 403);
        QVERIFY(!foreign.body.contains(kAlice.toUtf8()));
        QCOMPARE(as(m_alice, "GET", "/api/user/image/no-such-image/meta").status, 404);
    }

    void deleteImage() {
        const QString mine = addImage(kAlice, 30);
        const HttpReply foreign = as(m_bob, "DELETE", "/api/user/image/" + mine);
        QCOMPARE(foreign.status, 404);
        QCOMPARE(scalar(*m_db, "SELECT COUNT(*) FROM images WHERE id = ?", {mine}).toInt(), 1);
        const HttpReply own = as(m_alice, "DELETE", "/api/user/image/" + mine);
        QCOMPARE(own.status, 204);
        QVERIFY(own.body.isEmpty());
        QCOMPARE(scalar(*m_db, "SELECT COUNT(*) FROM images WHERE id = ?", {mine}).toInt(), 0);
        QCOMPARE(as(m_alice, "DELETE", "/api/user/image/" + mine).status, 404);
    }

    void categories() {
        const QString name = QString::fromUtf8("Landscapes – 风景 🌄");
        const qint64 id = addCategory(m_alice, name);
        QVERIFY(id > 0);
        // Stored the original's way, as base64 of the UTF-8 name.
        QCOMPARE(scalar(*m_db, "SELECT name64 FROM image_categories WHERE id = ?", {id}).toString(),
                 QString::fromLatin1(name.toUtf8().toBase64()));
        HttpReply list = as(m_alice, "GET", "/api/user/categories");
        QCOMPARE(list.status, 200);
        QJsonObject found;
        for (const auto &value : list.jsonArray()) {
            if (value.toObject().value("id").toInteger() == id)
                found = value.toObject();
        }
        QVERIFY(found.value("id").isDouble());
        QCOMPARE(found.value("name").toString(), name);
        QVERIFY(!found.contains("name64"));
        // Bob sees none of Alice's categories and can change none of them.
        for (const auto &value : as(m_bob, "GET", "/api/user/categories").jsonArray())
            QVERIFY(value.toObject().value("id").toInteger() != id);
        const QString path = QStringLiteral("/api/user/category/%1").arg(id);
        QCOMPARE(as(m_bob, "PATCH", path, {{"name", "stolen"}}).status, 404);
        QCOMPARE(as(m_bob, "DELETE", path).status, 404);
        QCOMPARE(scalar(*m_db, "SELECT COUNT(*) FROM image_categories WHERE id = ?", {id}).toInt(), 1);

        QCOMPARE(as(m_alice, "PATCH", path, {{"name", "Renamed"}}).status, 204);
        QCOMPARE(as(m_alice, "PATCH", path, {{"name", "Renamed"}}).status,
                 204); // unchanged name is still fine
        list = as(m_alice, "GET", "/api/user/categories");
        bool renamed = false;
        for (const auto &value : list.jsonArray())
            renamed |=
                value.toObject().value("id").toInteger() == id && value.toObject().value("name") == "Renamed";
        QVERIFY(renamed);

        // Deleting a category uncategorizes its images.
        const QString image = addImage(kAlice, 20, id);
        QCOMPARE(as(m_alice, "DELETE", path).status, 204);
        QVERIFY(scalar(*m_db, "SELECT category_id FROM images WHERE id = ?", {image}).isNull());
        QCOMPARE(as(m_alice, "DELETE", path).status, 404);
    }

    void categoryValidation() {
        QCOMPARE(as(m_alice, "POST", "/api/user/category", {}).status, 400);
        QCOMPARE(as(m_alice, "POST", "/api/user/category", {{"name", 5}}).status, 400);
        QCOMPARE(as(m_alice, "POST", "/api/user/category", {{"name", QString(189, 'a')}}).status,
                 200); // 252 b64
        QCOMPARE(as(m_alice, "POST", "/api/user/category", {{"name", QString(190, 'a')}}).status,
                 400); // 256 b64
        const qint64 id = addCategory(m_alice, "valid");
        QCOMPARE(as(m_alice, "PATCH", QStringLiteral("/api/user/category/%1").arg(id),
                    {{"name", QString(300, 'x')}})
                     .status,
                 400);
        QCOMPARE(as(m_alice, "PATCH", "/api/user/category/abc", {{"name", "x"}}).status, 400);
        QCOMPARE(as(m_alice, "DELETE", "/api/user/category/abc").status, 400);
    }

    void categorizeImage() {
        const QString image = addImage(kAlice, 10);
        const qint64 mine = addCategory(m_alice, "mine");
        const qint64 bobs = addCategory(m_bob, "bob's");
        const QString path = "/api/user/image/" + image + "/category";

        HttpReply reply = as(m_alice, "PUT", path, {{"categoryId", mine}});
        QCOMPARE(reply.status, 204);
        QCOMPARE(scalar(*m_db, "SELECT category_id FROM images WHERE id = ?", {image}).toLongLong(), mine);
        QCOMPARE(
            as(m_alice, "GET", "/api/user/image/" + image + "/meta").json().value("category_id").toInteger(),
            mine);

        QCOMPARE(as(m_alice, "PUT", path, {{"categoryId", bobs}}).status, 403); // not her category
        QCOMPARE(as(m_bob, "PUT", path, {{"categoryId", bobs}}).status, 403);   // not his image
        QCOMPARE(as(m_alice, "PUT", "/api/user/image/nope/category", {{"categoryId", mine}}).status, 404);
        QCOMPARE(as(m_alice, "PUT", path, {{"categoryId", 999999}}).status, 403); // no such category
        QCOMPARE(scalar(*m_db, "SELECT category_id FROM images WHERE id = ?", {image}).toLongLong(), mine);

        for (const QJsonValue &bad : {QJsonValue(), QJsonValue("abc"), QJsonValue(1.5), QJsonValue(-1)})
            QCOMPARE(as(m_alice, "PUT", path, {{"categoryId", bad}}).status, 400);
        QCOMPARE(as(m_alice, "PUT", path, {}).status, 400);

        QCOMPARE(as(m_alice, "PUT", path, {{"categoryId", 0}}).status, 204); // 0 uncategorizes
        QVERIFY(scalar(*m_db, "SELECT category_id FROM images WHERE id = ?", {image}).isNull());
        QCOMPARE(as(m_alice, "PUT", path, {{"categoryId", QString::number(mine)}}).status,
                 204); // as Number()
    }

    void disableBlocksTheNextRequest() {
        const QString dave = QStringLiteral("666666666666666666");
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 1)", {dave.toLongLong()}));
        const QByteArray token = bearerFor(*m_nav, dave);
        QCOMPARE(as(token, "GET", "/api/user/me").status, 200);
        QCOMPARE(as(m_admin, "GET", "/api/admin/disable-user/" + dave).status, 200);
        const HttpReply blocked = as(token, "GET", "/api/user/me");
        QCOMPARE(blocked.status, 403);
        QCOMPARE(blocked.json().value("error_code").toString(), QString("USER_DISABLED"));
    }

    void imageOwnerBecomesApprentice() {
        // The original's rule: an id that owns images but has no users row is let in as role 1.
        const QString legacy = QStringLiteral("777777777777777777");
        addImage(legacy, 100);
        const HttpReply reply = as(bearerFor(*m_nav, legacy), "GET", "/api/user/me");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("user").toObject().value("role").toInt(), 1);
        QCOMPARE(scalar(*m_db, "SELECT role FROM users WHERE id = ?", {legacy.toLongLong()}).toInt(), 1);
    }

    void npmTokenAcceptedEndToEnd() {
        const QString compat = QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat");
        NAV_REQUIRE_DEPENDENCY(QFile::exists(compat + "/node_modules/jsonwebtoken/package.json"),
                               "npm jsonwebtoken is not installed: run `npm ci` in tests/compat");
        QProcess node;
        node.setWorkingDirectory(compat);
        node.start("node", {"jwt-compat.js", "sign", m_nav->secretKey()});
        QVERIFY(node.waitForFinished(30000));
        const QJsonObject tokens = QJsonDocument::fromJson(node.readAllStandardOutput()).object();
        // jwt-compat.js signs for 123456789012345678.
        QVERIFY(seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 2)", {qlonglong(123456789012345678)}));
        for (const char *name : {"login72h", "login14d", "neverExpires"}) {
            const HttpReply reply =
                as("Bearer " + tokens.value(name).toString().toUtf8(), "GET", "/api/user/me");
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.json().value("user").toObject().value("role").toInt(), 2); // from the database
        }
        for (const char *name : {"expired", "hs512", "otherSecret"})
            QCOMPARE(as("Bearer " + tokens.value(name).toString().toUtf8(), "GET", "/api/user/me").status,
                     401);
    }
};

QTEST_GUILESS_MAIN(UserApiTest)
#include "tst_userapi.moc"
