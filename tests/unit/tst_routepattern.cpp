// Express-style route patterns used by the HTTP router.
#include "server/http/RoutePattern.h"

#include <QtTest>

using nav::http::RoutePattern;

class RoutePatternTest : public QObject {
    Q_OBJECT
private slots:
    void literal() {
        RoutePattern p(QStringLiteral("/api/models"));
        QVERIFY(p.match(QStringLiteral("/api/models")));
        QVERIFY(p.match(QStringLiteral("/api/models/")));
        QVERIFY(!p.match(QStringLiteral("/api/models/x")));
        QVERIFY(!p.match(QStringLiteral("/api")));
        QVERIFY(RoutePattern(QStringLiteral("/")).match(QStringLiteral("/")));
    }
    void params() {
        RoutePattern p(QStringLiteral("/api/user/image/:id/meta"));
        const auto m = p.match(QStringLiteral("/api/user/image/abc123/meta"));
        QVERIFY(m);
        QCOMPARE(m->value("id"), QStringLiteral("abc123"));
        QVERIFY(!p.match(QStringLiteral("/api/user/image/abc123")));
    }
    void encodedSlashStaysInItsSegment() {
        // "%2F" in an id must not reach another route (/api/images/:id/info here).
        RoutePattern info(QStringLiteral("/api/images/:id/info"));
        RoutePattern image(QStringLiteral("/api/images/:id"));
        QVERIFY(!info.match(QStringLiteral("/api/images/abc%2Finfo")));
        const auto m = image.match(QStringLiteral("/api/images/abc%2Finfo"));
        QVERIFY(m);
        QCOMPARE(m->value("id"), QStringLiteral("abc/info"));
        QCOMPARE(image.match(QStringLiteral("/api/images/a%20b"))->value("id"), QStringLiteral("a b"));
        // Literal segments compare decoded.
        QVERIFY(RoutePattern(QStringLiteral("/api/models")).match(QStringLiteral("/api/%6Dodels")));
    }
    void wildcard() {
        RoutePattern p(QStringLiteral("/3papi/civitai/api-proxy/*"));
        QCOMPARE(p.match(QStringLiteral("/3papi/civitai/api-proxy/models/12"))->value("*"),
                 QStringLiteral("models/12"));
        QCOMPARE(p.match(QStringLiteral("/3papi/civitai/api-proxy"))->value("*"), QString());
        QVERIFY(!p.match(QStringLiteral("/3papi/civitai/other")));
    }
};

QTEST_APPLESS_MAIN(RoutePatternTest)
#include "tst_routepattern.moc"
