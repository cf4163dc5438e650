// The Discord embed page: og:image on the request host, every interpolated value escaped, hostile Host
// headers refused.
#include "server/api/EmbedPage.h"

#include <QtTest>

using namespace nav::api;

class TestEmbedPage : public QObject {
    Q_OBJECT
private slots:
    void escapes() {
        QCOMPARE(htmlEscape("<a href=\"x\">'&'</a>"),
                 QStringLiteral("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"));
    }

    void pointsAtTheImageOnTheRequestHost() {
        const auto page = renderEmbedPage("navigator.example:3333", "ab12cd34");
        QVERIFY(page);
        QVERIFY(page->contains(
            "<meta property=\"og:image\" content=\"https://navigator.example:3333/api/images/ab12cd34\">"));
        QVERIFY(page->contains("<img src=\"https://navigator.example:3333/api/images/ab12cd34\""));
        QVERIFY(page->contains("og:title"));
        QVERIFY(!page->contains("{{"));
    }

    void hostileJobIdIsEncodedAndEscaped() {
        const auto page = renderEmbedPage("[::1]:80", "x\"><script>alert('1')</script>");
        QVERIFY(page);
        QVERIFY(!page->contains("<script>"));
        QVERIFY(!page->contains("x\">"));
        QVERIFY(page->contains("https://[::1]:80/api/images/x%22%3E%3Cscript%3E"));
    }

    void hostileHostIsRefused_data() {
        QTest::addColumn<QString>("host");
        QTest::newRow("quote") << "evil\"><script>";
        QTest::newRow("path") << "evil.example/x";
        QTest::newRow("userinfo") << "a@evil.example";
        QTest::newRow("space") << "evil example";
        QTest::newRow("empty") << "";
    }
    void hostileHostIsRefused() {
        QFETCH(QString, host);
        QVERIFY(!renderEmbedPage(host, "ab12cd34"));
    }
};

QTEST_APPLESS_MAIN(TestEmbedPage)
#include "tst_embedpage.moc"
