// JwtCodec: the token format of the original Navigator, and every way a token must be refused.
#include "server/auth/JwtCodec.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QtTest>

#include <limits>

using nav::auth::JwtCodec;
using nav::auth::TokenClaims;
using nav::auth::TokenError;

namespace {

const QByteArray kSecret = "unit-test-secret";

QByteArray b64(const QByteArray &bytes) {
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Builds a token by hand, so the tests do not depend on the code under test for signing.
QByteArray handToken(const QJsonObject &header, const QJsonObject &payload,
                     const QByteArray &secret = kSecret,
                     QCryptographicHash::Algorithm hash = QCryptographicHash::Sha256) {
    const QByteArray input = b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                             b64(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, secret, hash));
}

// A correctly signed token whose payload segment is the given bytes, JSON or not.
QByteArray rawPayloadToken(const QByteArray &payload) {
    const QByteArray input = b64(R"({"alg":"HS256","typ":"JWT"})") + '.' + b64(payload);
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, kSecret, QCryptographicHash::Sha256));
}

qint64 now() {
    return QDateTime::currentSecsSinceEpoch();
}

QJsonObject hs256() {
    return {{"alg", "HS256"}, {"typ", "JWT"}};
}

} // namespace

class JwtTest : public QObject {
    Q_OBJECT

    JwtCodec codec{kSecret};

    TokenError errorOf(const QByteArray &token) {
        const auto result = codec.verify(token);
        if (!std::holds_alternative<TokenError>(result))
            qWarning() << "token was accepted:" << token;
        return std::holds_alternative<TokenError>(result) ? std::get<TokenError>(result) : TokenError(-1);
    }

private slots:
    void signedTokenHasTheOriginalsShape() {
        const QString token = codec.sign("123456789012345678", 2, 72LL * 3600 * 1000, 1'700'000'000);
        const QStringList parts = token.split('.');
        QCOMPARE(parts.size(), 3);
        const QJsonObject header =
            QJsonDocument::fromJson(QByteArray::fromBase64(parts[0].toUtf8(), QByteArray::Base64UrlEncoding))
                .object();
        QCOMPARE(header.value("alg").toString(), QString("HS256"));
        QCOMPARE(header.value("typ").toString(), QString("JWT"));
        const QJsonObject payload =
            QJsonDocument::fromJson(QByteArray::fromBase64(parts[1].toUtf8(), QByteArray::Base64UrlEncoding))
                .object();
        QVERIFY(payload.value("discord_id").isString());
        QCOMPARE(payload.value("discord_id").toString(), QString("123456789012345678"));
        QVERIFY(payload.value("role").isDouble());
        QCOMPARE(payload.value("role").toInt(), 2);
        QCOMPARE(payload.value("iat").toInteger(), 1'700'000'000);
        QCOMPARE(payload.value("exp").toInteger(), 1'700'000'000 + 72 * 3600);
        // The signature is plain HMAC-SHA256 over "header.payload".
        const QByteArray input = (parts[0] + '.' + parts[1]).toUtf8();
        QCOMPARE(parts[2].toUtf8(),
                 b64(QMessageAuthenticationCode::hash(input, kSecret, QCryptographicHash::Sha256)));
    }

    void roundTrip() {
        const auto result = codec.verify(codec.sign("42", 3, 60'000).toUtf8());
        QVERIFY(std::holds_alternative<TokenClaims>(result));
        const auto &claims = std::get<TokenClaims>(result);
        QCOMPARE(claims.discordId, QString("42"));
        QCOMPARE(claims.role, 3);
        QVERIFY(claims.expiresAt.has_value());
    }

    void neverExpiringTokenHasNoExp() {
        const QString token = codec.sign("42", 1, -1);
        const auto result = codec.verify(token.toUtf8());
        QVERIFY(std::holds_alternative<TokenClaims>(result));
        QVERIFY(!std::get<TokenClaims>(result).expiresAt.has_value());
    }

    void handMadeTokenIsAccepted() {
        const QByteArray token =
            handToken(hs256(), {{"discord_id", "777"}, {"role", 1}, {"iat", now()}, {"exp", now() + 3600}});
        QVERIFY(std::holds_alternative<TokenClaims>(codec.verify(token)));
    }

    void rejectsAlgNone() {
        const QByteArray unsigned_ =
            b64(R"({"alg":"none","typ":"JWT"})") + '.' + b64(R"({"discord_id":"777","role":4})") + '.';
        QCOMPARE(errorOf(unsigned_), TokenError::BadAlgorithm);
        // "none" with a signature segment appended is still not HS256.
        QCOMPARE(errorOf(unsigned_ + "abc"), TokenError::BadAlgorithm);
    }

    void rejectsOtherAlgorithms() {
        const QJsonObject payload{{"discord_id", "777"}, {"iat", now()}, {"exp", now() + 3600}};
        QCOMPARE(errorOf(handToken({{"alg", "HS512"}, {"typ", "JWT"}}, payload, kSecret,
                                   QCryptographicHash::Sha512)),
                 TokenError::BadAlgorithm);
        QCOMPARE(errorOf(handToken({{"alg", "RS256"}, {"typ", "JWT"}}, payload)), TokenError::BadAlgorithm);
        QCOMPARE(errorOf(handToken({{"typ", "JWT"}}, payload)), TokenError::BadAlgorithm);
        QCOMPARE(errorOf(handToken({{"alg", 256}, {"typ", "JWT"}}, payload)), TokenError::BadAlgorithm);
    }

    void rejectsBadSignature() {
        const QJsonObject payload{{"discord_id", "777"}, {"iat", now()}, {"exp", now() + 3600}};
        QCOMPARE(errorOf(handToken(hs256(), payload, "another-secret")), TokenError::BadSignature);
        // A genuine signature moved onto a changed payload.
        const QList<QByteArray> genuine = handToken(hs256(), payload).split('.');
        const QByteArray forged = genuine[0] + '.' + b64(R"({"discord_id":"1","role":4})") + '.' + genuine[2];
        QCOMPARE(errorOf(forged), TokenError::BadSignature);
    }

    void rejectsExpired() {
        QCOMPARE(
            errorOf(handToken(hs256(), {{"discord_id", "777"}, {"iat", now() - 100}, {"exp", now() - 1}})),
            TokenError::Expired);
        QCOMPARE(errorOf(handToken(hs256(), {{"discord_id", "777"}, {"exp", -5}})), TokenError::Expired);
        QCOMPARE(errorOf(codec.sign("777", 1, 0).toUtf8()), TokenError::Expired);
    }

    void rejectsNotYetValid() {
        QCOMPARE(errorOf(handToken(hs256(), {{"discord_id", "777"}, {"nbf", now() + 3600}})),
                 TokenError::NotYetValid);
    }

    void payloadKeepsTheOriginalsClaimOrder() {
        // jsonwebtoken writes the signed object's keys first, then iat and exp.
        const QString token = codec.sign("42", 1, 3'600'000, 1'700'000'000);
        QCOMPARE(QByteArray::fromBase64(token.split('.')[1].toUtf8(), QByteArray::Base64UrlEncoding),
                 QByteArray(R"({"discord_id":"42","role":1,"iat":1700000000,"exp":1700003600})"));
        const QString quoted = codec.sign(QStringLiteral("a\"b\\c"), 1, -1, 1);
        const auto result = codec.verify(quoted.toUtf8());
        QVERIFY(std::holds_alternative<TokenClaims>(result));
        QCOMPARE(std::get<TokenClaims>(result).discordId, QStringLiteral("a\"b\\c"));
    }

    void farFutureExpiryNeverExpires() {
        const auto result = codec.verify(handToken(hs256(), {{"discord_id", "1"}, {"exp", 1e300}}));
        QVERIFY(std::holds_alternative<TokenClaims>(result));
        QCOMPARE(*std::get<TokenClaims>(result).expiresAt, std::numeric_limits<qint64>::max());
        QCOMPARE(errorOf(handToken(hs256(), {{"discord_id", "1"}, {"exp", -1e300}})), TokenError::Expired);
    }

    void fractionalRoleCountsAsNone() {
        const auto result = codec.verify(handToken(hs256(), {{"discord_id", "1"}, {"role", 2.5}}));
        QVERIFY(std::holds_alternative<TokenClaims>(result));
        QCOMPARE(std::get<TokenClaims>(result).role, 0);
    }

    void signedPayloadThatIsNotAnObjectIsMalformed_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("array") << QByteArray(R"([{"discord_id":"1"}])");
        QTest::newRow("string") << QByteArray(R"("1")");
        QTest::newRow("truncated") << QByteArray(R"({"discord_id":"1")");
        QTest::newRow("trailing garbage") << QByteArray(R"({"discord_id":"1"}x)");
    }
    void signedPayloadThatIsNotAnObjectIsMalformed() {
        QFETCH(QByteArray, payload);
        QCOMPARE(errorOf(rawPayloadToken(payload)), TokenError::Malformed);
    }

    void rejectsMalformed_data() {
        QTest::addColumn<QByteArray>("token");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("one part") << QByteArray("abc");
        QTest::newRow("two parts") << QByteArray("abc.def");
        QTest::newRow("four parts") << handToken(hs256(), {{"discord_id", "1"}}) + ".x";
        QTest::newRow("non-ascii") << QByteArray("\xc3\xa9\xc3\xa9.\xff\xfe.abc");
        QTest::newRow("impossible base64 length") << QByteArray("eyJhbGciOiJIUzI1NiJ9x.e30.abcd");
        QTest::newRow("padding") << QByteArray("eyJhbGciOiJIUzI1NiJ9=.e30=.abc=");
        QTest::newRow("header not json") << b64("not json") + '.' + b64("{}") + ".abc";
        QTest::newRow("no discord_id") << handToken(hs256(), {{"role", 4}});
        QTest::newRow("numeric discord_id") << handToken(hs256(), {{"discord_id", 12345}});
        QTest::newRow("exp not a number") << handToken(hs256(), {{"discord_id", "1"}, {"exp", "soon"}});
        QTest::newRow("huge") << QByteArray(JwtCodec::kMaxTokenBytes + 1, 'a');
    }
    void rejectsMalformed() {
        QFETCH(QByteArray, token);
        const auto result = codec.verify(token);
        QVERIFY(std::holds_alternative<TokenError>(result));
    }
};

QTEST_APPLESS_MAIN(JwtTest)
#include "tst_jwt.moc"
