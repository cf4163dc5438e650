// Real-client compatibility: tokens minted by npm jsonwebtoken (what the original Navigator signs with) are
// accepted by JwtCodec, the ones it must refuse are refused, and tokens we sign pass jsonwebtoken's verify().
// Needs node and `npm ci` in tests/compat (scripts/test.sh does both).
#include "server/auth/JwtCodec.h"
#include "tests/support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using nav::auth::JwtCodec;
using nav::auth::TokenClaims;
using nav::auth::TokenError;

class JwtCompatTest : public QObject {
    Q_OBJECT

    const QString m_secret = QStringLiteral("compat-secret-ÄÖ-123");
    QString m_compatDir;
    QJsonObject m_npmTokens;

    QJsonObject node(const QStringList &args) {
        QProcess process;
        process.setWorkingDirectory(m_compatDir);
        process.start(QStringLiteral("node"), QStringList{QStringLiteral("jwt-compat.js")} + args);
        if (!process.waitForFinished(30000)) {
            process.kill();
            return {};
        }
        if (process.exitCode() != 0)
            qWarning().noquote() << process.readAllStandardError();
        return QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    }

    std::variant<TokenClaims, TokenError> verifyNpm(const char *name) {
        return JwtCodec(m_secret.toUtf8()).verify(m_npmTokens.value(name).toString().toUtf8());
    }

private slots:
    void initTestCase() {
        m_compatDir = QStringLiteral(NAVIGATOR_SOURCE_DIR "/tests/compat");
        NAV_REQUIRE_DEPENDENCY(QFile::exists(m_compatDir + "/node_modules/jsonwebtoken/package.json"),
                               "npm jsonwebtoken is not installed: run `npm ci` in tests/compat");
        m_npmTokens = node({"sign", m_secret});
        QVERIFY2(m_npmTokens.contains("login72h"), "node jwt-compat.js sign produced no tokens");
    }

    void acceptsTokensOfTheOriginal_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("discordId");
        QTest::addColumn<int>("role");
        QTest::addColumn<bool>("expires");
        QTest::newRow("72h") << "login72h"
                             << "123456789012345678" << 1 << true;
        QTest::newRow("14d") << "login14d"
                             << "123456789012345678" << 3 << true;
        QTest::newRow("never") << "neverExpires"
                               << "123456789012345678" << 2 << false;
        QTest::newRow("demo 3hr") << "demo"
                                  << "demo_user" << 2 << true;
    }
    void acceptsTokensOfTheOriginal() {
        QFETCH(QString, name);
        QFETCH(QString, discordId);
        QFETCH(int, role);
        QFETCH(bool, expires);
        const auto result = verifyNpm(name.toUtf8().constData());
        if (const auto *error = std::get_if<TokenError>(&result))
            QFAIL(qPrintable(JwtCodec::describe(*error)));
        const auto &claims = std::get<TokenClaims>(result);
        QCOMPARE(claims.discordId, discordId);
        QCOMPARE(claims.role, role);
        QCOMPARE(claims.expiresAt.has_value(), expires);
    }

    void refusesWhatTheOriginalWouldRefuse_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("error");
        QTest::newRow("expired") << "expired" << int(TokenError::Expired);
        QTest::newRow("nbf") << "notBefore" << int(TokenError::NotYetValid);
        QTest::newRow("HS512") << "hs512" << int(TokenError::BadAlgorithm);
        QTest::newRow("other secret") << "otherSecret" << int(TokenError::BadSignature);
    }
    void refusesWhatTheOriginalWouldRefuse() {
        QFETCH(QString, name);
        QFETCH(int, error);
        const auto result = verifyNpm(name.toUtf8().constData());
        QVERIFY(std::holds_alternative<TokenError>(result));
        QCOMPARE(int(std::get<TokenError>(result)), error);
    }

    void ourTokensPassJsonwebtoken() {
        const JwtCodec codec(m_secret.toUtf8());
        for (const qint64 ttl : {qint64(72) * 3600 * 1000, qint64(-1)}) {
            const QString token = codec.sign("987654321098765432", 3, ttl);
            const QJsonObject verdict = node({"verify", m_secret, token});
            QVERIFY2(verdict.value("ok").toBool(), qPrintable(verdict.value("error").toString()));
            const QJsonObject payload = verdict.value("payload").toObject();
            QCOMPARE(payload.value("discord_id").toString(), QString("987654321098765432"));
            QCOMPARE(payload.value("role").toInt(), 3);
            QVERIFY(payload.value("iat").isDouble());
            QCOMPARE(payload.contains("exp"), ttl > 0);
        }
    }

    void ourTokenIsTheOriginalsByteForByte() {
        const QString ours =
            JwtCodec(m_secret.toUtf8()).sign("123456789012345678", 1, 72LL * 3600 * 1000, 1'700'000'000);
        QCOMPARE(ours, m_npmTokens.value("fixedIat").toString());
    }

    void jsonwebtokenRefusesOurTokenWithAnotherSecret() {
        const QString token = JwtCodec("different").sign("1", 1, 60'000);
        QVERIFY(!node({"verify", m_secret, token}).value("ok").toBool(true));
    }
};

QTEST_GUILESS_MAIN(JwtCompatTest)
#include "tst_jwtcompat.moc"
