// GET /api/config/limits and /api/config/version against the real navigator: JSON types (max_pixels is a
// number, also when IMAGE_PIXEL_LIMIT is set) and the build-time git facts.
#include "tests/support/TestSupport.h"

#include <QRegularExpression>
#include <QtTest>

using namespace nav::test;

class TestConfigApi : public QObject {
    Q_OBJECT
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<NavigatorInstance> m_nav;

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_nav = std::make_unique<NavigatorInstance>(
            *m_db, QHash<QString, QString>{{"IMAGE_PIXEL_LIMIT", "2000000"}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
    }
    void cleanupTestCase() { m_nav.reset(); }

    void limitsIsANumberFromTheConfig() {
        const HttpReply reply = http("GET", m_nav->url("/api/config/limits"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("content-type").startsWith("application/json"));
        QCOMPARE(reply.json().keys(), QStringList{"max_pixels"});
        QVERIFY(reply.json().value("max_pixels").isDouble());
        QCOMPARE(reply.json().value("max_pixels").toInteger(), 2000000);
    }

    void versionHasBranchAndCommitStrings() {
        const HttpReply reply = http("GET", m_nav->url("/api/config/version"));
        QCOMPARE(reply.status, 200);
        const QJsonObject body = reply.json();
        QCOMPARE(body.keys(), (QStringList{"branch", "commit"}));
        QVERIFY(body.value("branch").isString());
        QVERIFY(!body.value("branch").toString().isEmpty());
        QVERIFY(body.value("commit").isString());
        static const QRegularExpression commit(QStringLiteral("^([0-9a-f]{7,40}|unknown)$"));
        QVERIFY2(commit.match(body.value("commit").toString()).hasMatch(), reply.body.constData());
    }
};

QTEST_GUILESS_MAIN(TestConfigApi)
#include "tst_configapi.moc"
