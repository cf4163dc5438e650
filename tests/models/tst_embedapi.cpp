// GET /embed/:jobId against navigator: the HTML page for a stored image with og:image on the request host,
// 404 for an unknown job, 400 for a hostile Host header.
#include "tests/support/TestSupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QtTest>

using namespace nav::test;

class TestEmbedApi : public QObject {
    Q_OBJECT
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<NavigatorInstance> m_nav;

private slots:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>();
        m_nav = std::make_unique<NavigatorInstance>(*m_db);
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QSqlQuery query(QSqlDatabase::database(m_db->connectionName()));
        QVERIFY2(query.exec("INSERT INTO images (id, owner_id) VALUES ('ab12cd34', '123')"),
                 qPrintable(query.lastError().text()));
    }
    void cleanupTestCase() { m_nav.reset(); }

    void pageForAStoredImage() {
        const HttpReply reply = http("GET", m_nav->url("/embed/ab12cd34"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("content-type").startsWith("text/html"));
        const QByteArray image =
            "https://127.0.0.1:" + QByteArray::number(m_nav->httpPort()) + "/api/images/ab12cd34";
        QVERIFY2(reply.body.contains("<meta property=\"og:image\" content=\"" + image + "\">"),
                 reply.body.constData());
        QVERIFY(reply.body.contains("twitter:card"));
        QCOMPARE(reply.header("access-control-allow-origin"), QByteArray("*"));
    }

    void unknownJobIs404() {
        const HttpReply reply = http("GET", m_nav->url("/embed/ffffffff"));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("JOB_NOT_FOUND"));
        QCOMPARE(http("GET", m_nav->url("/embed/%22%3E%3Cscript%3E")).status, 404);
    }

    void hostileHostHeaderIsRefused() {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_nav->httpPort());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(
            "GET /embed/ab12cd34 HTTP/1.1\r\nHost: evil\"><script>x</script>\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n{"), 15000);
        QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
        QVERIFY(!answer.contains("<script>"));
    }
};

QTEST_GUILESS_MAIN(TestEmbedApi)
#include "tst_embedapi.moc"
