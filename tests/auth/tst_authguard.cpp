// AuthService::require over real loopback HTTP, with an in-memory role table standing in for the database:
// 401 for every bad credential (and the handler never runs), 403 for disabled, unknown and too-low roles,
// the superuser token, the demo user, and a role change that takes effect on the next request.
#include "server/auth/AuthService.h"
#include "server/config/Config.h"
#include "server/http/HttpServer.h"
#include "tests/support/TestSupport.h"

#include <QException>
#include <QJsonObject>
#include <QtTest>

using namespace nav;
using nav::test::HttpReply;

namespace {
class LookupFailed : public QException {
public:
    void raise() const override { throw *this; }
    LookupFailed *clone() const override { return new LookupFailed(*this); }
};
} // namespace

class AuthGuardTest : public QObject {
    Q_OBJECT

    config::Config m_config;
    QHash<QString, int> m_roles; // the "users table"
    bool m_dbDown = false;
    int m_handlerRuns = 0;
    std::unique_ptr<auth::AuthService> m_auth;
    std::unique_ptr<http::HttpServer> m_server;

    QUrl url(int minRole) const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/guarded/%2").arg(m_server->port()).arg(minRole));
    }
    HttpReply call(int minRole, const QByteArray &authorization) {
        QHash<QByteArray, QByteArray> headers;
        if (!authorization.isNull())
            headers.insert("Authorization", authorization);
        return test::http("GET", url(minRole), {}, headers);
    }
    QByteArray bearer(const QString &id, qint64 ttlMs = 60'000) const {
        return "Bearer " + m_auth->sign(id, 1, ttlMs).toUtf8();
    }

    void start() {
        m_auth = std::make_unique<auth::AuthService>(m_config, [this](const QString &id) {
            if (m_dbDown)
                return QtFuture::makeExceptionalFuture<std::optional<int>>(LookupFailed());
            return QtFuture::makeReadyFuture(m_roles.contains(id) ? std::optional<int>(m_roles.value(id))
                                                                  : std::optional<int>());
        });
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        m_server->get("/guarded/:min", [this](const http::Request &req, http::Responder res) {
            m_auth->require(req, res, req.param("min").toInt(),
                            [this, res](const auth::Caller &caller) mutable {
                                ++m_handlerRuns;
                                res.json(200, QJsonObject{{"id", caller.discordId},
                                                          {"role", caller.role},
                                                          {"superuser", caller.superuser}});
                            });
        });
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    }

private slots:
    void init() {
        m_config.secretKey = QStringLiteral("guard-secret");
        m_config.superuserAdminToken = QStringLiteral("super-secret-token");
        m_config.enableDemoUser = false;
        m_roles = {{"100", 1}, {"200", 2}, {"300", 3}, {"400", 4}, {"500", 0}};
        m_dbDown = false;
        m_handlerRuns = 0;
        start();
    }
    void cleanup() {
        m_server.reset();
        m_auth.reset();
    }

    void validTokenPasses() {
        const HttpReply reply = call(1, bearer("200"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("id").toString(), QString("200"));
        QCOMPARE(reply.json().value("role").toInt(), 2);
        QCOMPARE(m_handlerRuns, 1);
    }

    void schemeIsCaseInsensitive() {
        const QByteArray token = m_auth->sign("100", 1, 60'000).toUtf8();
        QCOMPARE(call(1, "bearer " + token).status, 200);
        QCOMPARE(call(1, "BEARER  " + token).status, 200);
    }

    void roleComesFromTheDatabaseNotTheToken() {
        const QByteArray token = "Bearer " + m_auth->sign("100", 4, 60'000).toUtf8(); // claims apex
        const HttpReply reply = call(3, token);
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("INSUFFICIENT_ROLE"));
        QCOMPARE(m_handlerRuns, 0);
    }

    void unauthenticated_data() {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QString>("code");
        QTest::newRow("no header") << QByteArray() << "AUTH_REQUIRED";
        QTest::newRow("empty header") << QByteArray("") << "AUTH_REQUIRED";
        QTest::newRow("token without scheme") << QByteArray("abc.def.ghi") << "TOKEN_INVALID";
        QTest::newRow("other scheme") << QByteArray("Basic dXNlcjpwYXNz") << "TOKEN_INVALID";
        QTest::newRow("bearer only") << QByteArray("Bearer") << "TOKEN_INVALID";
        QTest::newRow("garbage") << QByteArray("Bearer !!!") << "TOKEN_INVALID";
        QTest::newRow("alg none") << QByteArray("Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
                                                "eyJkaXNjb3JkX2lkIjoiNDAwIiwicm9sZSI6NH0.")
                                  << "TOKEN_INVALID";
        QTest::newRow("other secret")
            << "Bearer " + auth::JwtCodec("nope").sign("400", 4, 60'000).toUtf8() << "TOKEN_INVALID";
        QTest::newRow("expired") << "Bearer " +
                                        auth::JwtCodec("guard-secret").sign("400", 4, 60'000, 1000).toUtf8()
                                 << "TOKEN_EXPIRED";
        QTest::newRow("superuser prefix") << QByteArray("super-secret-toke") << "TOKEN_INVALID";
    }
    void unauthenticated() {
        QFETCH(QByteArray, authorization);
        QFETCH(QString, code);
        const HttpReply reply = call(1, authorization);
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.json().value("error_code").toString(), code);
        QCOMPARE(reply.json().value("message").toString(), QString("Unauthorized"));
        QCOMPARE(m_handlerRuns, 0);
    }

    void disabledUserIs403() {
        const HttpReply reply = call(1, bearer("500"));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_DISABLED"));
        QCOMPARE(m_handlerRuns, 0);
    }

    void unknownUserIs403() {
        const HttpReply reply = call(1, bearer("999"));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value("error_code").toString(), QString("USER_NOT_AUTHORIZED"));
    }

    void roleBoundaries() {
        for (int have = 1; have <= 4; ++have) {
            for (int need = 1; need <= 4; ++need) {
                const HttpReply reply = call(need, bearer(QString::number(have * 100)));
                QCOMPARE(reply.status, have >= need ? 200 : 403);
            }
        }
    }

    // Navigator tells the guard of every role it writes (forgetRole); tst_rolecache covers changes it does
    // not make itself.
    void disableTakesEffectOnTheNextRequest() {
        const QByteArray token = bearer("300");
        QCOMPARE(call(1, token).status, 200);
        m_roles["300"] = 0;
        m_auth->forgetRole("300");
        QCOMPARE(call(1, token).status, 403);
        m_roles["300"] = 1;
        m_auth->forgetRole("300");
        QCOMPARE(call(3, token).status, 403);
        QCOMPARE(call(1, token).status, 200);
    }

    void superuserToken() {
        for (const QByteArray &header :
             {QByteArray("super-secret-token"), QByteArray("Bearer super-secret-token")}) {
            const HttpReply reply = call(4, header);
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.json().value("role").toInt(), 4);
            QVERIFY(reply.json().value("superuser").toBool());
            // The secret itself never becomes an id.
            QCOMPARE(reply.json().value("id").toString(), QString("superuser"));
        }
    }

    void emptySuperuserTokenMatchesNothing() {
        m_config.superuserAdminToken.clear();
        start();
        QCOMPARE(call(1, "").status, 401);
        QCOMPARE(call(1, "Bearer ").status, 401);
    }

    void demoUser() {
        QCOMPARE(call(1, bearer("demo_user")).status, 401); // demo disabled
        m_config.enableDemoUser = true;
        start();
        const HttpReply reply = call(2, bearer("demo_user"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value("role").toInt(), 2);
        QCOMPARE(call(3, bearer("demo_user")).status, 403);
    }

    void databaseErrorIs500() {
        m_dbDown = true;
        const HttpReply reply = call(1, bearer("100"));
        QCOMPARE(reply.status, 500);
        QCOMPARE(m_handlerRuns, 0);
    }

    void verifyTokenForRealtime() {
        std::optional<auth::Caller> seen;
        bool called = false;
        auto check = [&](const QString &token) {
            called = false;
            m_auth->verifyToken(token, [&](std::optional<auth::Caller> caller) {
                called = true;
                seen = caller;
            });
            QTRY_VERIFY_WITH_TIMEOUT(called, 10000);
        };
        check(m_auth->sign("200", 2, 60'000));
        QVERIFY(seen && seen->discordId == "200" && seen->role == 2);
        check(m_auth->sign("500", 1, 60'000));
        QVERIFY(!seen);
        check(QStringLiteral("not-a-token"));
        QVERIFY(!seen);
        check(QStringLiteral("super-secret-token"));
        QVERIFY(seen && seen->superuser);
    }
};

QTEST_MAIN(AuthGuardTest)
#include "tst_authguard.moc"
