// The route table (server/api/Routes.cpp): `navigator --routes` lists every route once, the routes whose
// access matters are listed with the role they need, and the running server enforces exactly the printed
// minimum role on every route (401 without credentials, 403 INSUFFICIENT_ROLE one role below).
#include "tests/support/TestSupport.h"
#include "tests/support/TestUsers.h"

#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using namespace nav::test;

namespace {

struct Row {
    QString method;
    QString path;
    int minRole = -1; // -1: public
    QString operationId;
};

QList<Row> printedRoutes(QByteArray *output) {
    ChildProcess process;
    QProcessEnvironment env;
    env.insert("PATH", qEnvironmentVariable("PATH"));
    if (!process.start(binPath("navigator"), {"--routes"}, env) || !process.waitForExit(15000) ||
        process.exitCode() != 0)
        return {};
    *output = process.output();
    static const QRegularExpression line(
        QStringLiteral(R"(^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)\s+(public|\w+ \((\d)\))\s+(\w+)$)"));
    QList<Row> rows;
    for (const QByteArray &text : output->split('\n')) {
        if (text.trimmed().isEmpty())
            continue;
        const auto match = line.match(QString::fromUtf8(text).trimmed());
        if (!match.hasMatch()) {
            qWarning() << "unexpected --routes line:" << text;
            return {};
        }
        Row row{match.captured(1), match.captured(2),
                match.captured(3) == QLatin1String("public") ? -1 : match.captured(4).toInt(),
                match.captured(5)};
        rows.append(row);
    }
    return rows;
}

// A concrete path for a pattern: every :param becomes "1", a trailing * becomes "x".
QString concrete(QString pattern) {
    static const QRegularExpression param(QStringLiteral(":[A-Za-z_]+"));
    pattern.replace(param, QStringLiteral("1"));
    if (pattern.endsWith('*'))
        pattern.replace(pattern.size() - 1, 1, QStringLiteral("x"));
    return pattern;
}

} // namespace

class RoutesTest : public QObject {
    Q_OBJECT

private slots:
    void everyRouteIsPrintedOnce() {
        QByteArray output;
        const QList<Row> rows = printedRoutes(&output);
        QVERIFY2(rows.size() >= 59, output.constData());
        QSet<QString> seen;
        QSet<QString> ids;
        for (const Row &row : rows) {
            QVERIFY2(!seen.contains(row.method + ' ' + row.path), qPrintable(row.path));
            QVERIFY2(!ids.contains(row.operationId), qPrintable(row.operationId));
            seen.insert(row.method + ' ' + row.path);
            ids.insert(row.operationId);
        }
        // The routes whose access the clients and the README rely on.
        const QList<Row> pinned = {
            {"GET", "/", -1, "getRoot"},
            {"POST", "/api/auth/login", -1, "login"},
            {"GET", "/api/images/:jobId", -1, "getImage"},
            {"GET", "/api/previews/:jobId", -1, "getPreview"},
            {"GET", "/api/models", -1, "listModels"},
            {"POST", "/api/queue/txt2img", -1, "submitTxt2imgLegacy"},
            {"POST", "/api/queue/user/txt2img", 1, "submitTxt2img"},
            {"GET", "/api/user/me", 1, "getMe"},
            {"GET", "/api/models/loras", 1, "listLoras"},
            {"GET", "/3papi/civitai/download/:modelVersionId", 2, "downloadModel"},
            {"GET", "/api/admin/users", 3, "listUsers"},
            {"PUT", "/api/admin/users/:id/role", 3, "setUserRole"},
            {"GET", "/api/admin/status", 3, "getAdminStatus"},
            {"GET", "/api/admin/queue", 3, "getAdminQueue"},
            {"POST", "/api/models/loras/override/:hash", 3, "setLoraOverride"},
            {"GET", "/metrics", -1, "getMetrics"},
            {"GET", "/readyz", -1, "getReadiness"},
            {"GET", "/api/admin/access-requests", 3, "listAccessRequests"},
            {"POST", "/api/admin/backends/:name/pause", 3, "pauseBackend"},
            {"POST", "/api/admin/queue/:jobId/promote", 3, "promoteJob"},
            {"GET", "/api/admin/history", 3, "getAdminHistory"},
        };
        for (const Row &want : pinned) {
            const auto found = std::find_if(rows.begin(), rows.end(), [&](const Row &row) {
                return row.method == want.method && row.path == want.path;
            });
            QVERIFY2(found != rows.end(), qPrintable(want.method + ' ' + want.path));
            QCOMPARE(found->minRole, want.minRole);
            QCOMPARE(found->operationId, want.operationId);
        }
    }

    void theServerEnforcesThePrintedMinimumRole() {
        QByteArray output;
        const QList<Row> rows = printedRoutes(&output);
        QVERIFY(!rows.isEmpty());
        TestDatabase db;
        // Forge and CivitAI point at closed ports: public routes that call them fail fast with 502.
        NavigatorInstance nav(
            db, {{"SD_API_HOST", QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(freePort())},
                 {"CIVITAI_API_BASE", QStringLiteral("http://127.0.0.1:%1/api/v1").arg(freePort())}});
        QVERIFY2(nav.start(), nav.process().output().constData());
        for (int role = 1; role <= 3; ++role)
            QVERIFY(seedUser(db, QString::number(100 + role), role));
        for (const Row &row : rows) {
            const QUrl url = nav.url(concrete(row.path));
            const QByteArray body = row.method == "GET" ? QByteArray() : QByteArray("{}");
            const QHash<QByteArray, QByteArray> json{{"Content-Type", "application/json"}};
            const HttpReply anonymous = http(row.method.toLatin1(), url, body, json);
            const QString what = row.method + ' ' + row.path;
            if (row.minRole < 0) {
                QVERIFY2(anonymous.status != 401 && anonymous.status != 403 && anonymous.status != 0,
                         qPrintable(what + QStringLiteral(" answered %1").arg(anonymous.status)));
                continue;
            }
            QVERIFY2(anonymous.status == 401,
                     qPrintable(what + QStringLiteral(" answered %1").arg(anonymous.status)));
            QCOMPARE(anonymous.json().value("error_code").toString(), QStringLiteral("AUTH_REQUIRED"));
            if (row.minRole < 2)
                continue;
            QHash<QByteArray, QByteArray> headers = json;
            const int below = row.minRole - 1;
            headers.insert("Authorization",
                           bearerToken(nav.secretKey(), QString::number(100 + below), below));
            const HttpReply tooLow = http(row.method.toLatin1(), url, body, headers);
            QVERIFY2(tooLow.status == 403,
                     qPrintable(what + QStringLiteral(" answered %1").arg(tooLow.status)));
            QCOMPARE(tooLow.json().value("error_code").toString(), QStringLiteral("INSUFFICIENT_ROLE"));
        }
    }
};

QTEST_GUILESS_MAIN(RoutesTest)
#include "tst_routes.moc"
