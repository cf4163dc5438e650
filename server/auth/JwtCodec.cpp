#include "server/auth/JwtCodec.h"

#include "server/auth/ConstantTime.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <cmath>
#include <limits>

namespace nav::auth {

namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

bool isBase64UrlSegment(const QByteArray &segment) {
    // A length of 4n+1 cannot come out of base64 encoding.
    if (segment.isEmpty() || segment.size() % 4 == 1)
        return false;
    for (const char c : segment) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

// A segment decoded as a JSON object; nullopt for anything else.
std::optional<QJsonObject> jsonSegment(const QByteArray &segment) {
    QJsonParseError error;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromBase64(segment, QByteArray::Base64UrlEncoding), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

// JSON text of one string value, quotes and escapes included.
QByteArray jsonString(const QString &value) {
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// A numeric claim as whole seconds (clamped to qint64, as a far-future exp never expires); nullopt when
// absent, an error when present but not a number.
std::optional<std::optional<qint64>> numericClaim(const QJsonObject &payload, const char *name) {
    const auto it = payload.constFind(QLatin1String(name));
    if (it == payload.constEnd())
        return std::optional<qint64>{};
    if (!it->isDouble())
        return std::nullopt;
    const double value = it->toDouble();
    constexpr double kLimit = 9.2e18; // just inside qint64
    if (!std::isfinite(value) || std::fabs(value) >= kLimit)
        return std::optional<qint64>{value > 0 ? std::numeric_limits<qint64>::max()
                                               : std::numeric_limits<qint64>::min()};
    return std::optional<qint64>{static_cast<qint64>(value)};
}

} // namespace

JwtCodec::JwtCodec(const QByteArray &secret) : m_secret(secret) {}

QString JwtCodec::sign(const QString &discordId, int role, qint64 ttlMs,
                       std::optional<qint64> nowSecs) const {
    const qint64 iat = nowSecs.value_or(QDateTime::currentSecsSinceEpoch());
    // The claims in jsonwebtoken's order: the original's payload, then iat and exp as it appends them.
    QByteArray payload = "{\"discord_id\":" + jsonString(discordId) +
                         ",\"role\":" + QByteArray::number(role) + ",\"iat\":" + QByteArray::number(iat);
    if (ttlMs >= 0)
        payload += ",\"exp\":" + QByteArray::number(iat + ttlMs / 1000); // exp = iat + floor(ms / 1000)
    payload += '}';
    const QByteArray input = QByteArrayLiteral("{\"alg\":\"HS256\",\"typ\":\"JWT\"}").toBase64(kBase64Url) +
                             '.' + payload.toBase64(kBase64Url);
    const QByteArray signature =
        QMessageAuthenticationCode::hash(input, m_secret, QCryptographicHash::Sha256);
    return QString::fromLatin1(input + '.' + signature.toBase64(kBase64Url));
}

std::variant<TokenClaims, TokenError> JwtCodec::verify(const QByteArray &token) const {
    if (token.size() > kMaxTokenBytes)
        return TokenError::Malformed;
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3 || !isBase64UrlSegment(parts[0]) || !isBase64UrlSegment(parts[1]))
        return TokenError::Malformed;
    // An unsigned ("alg":"none") token has an empty third segment.
    if (parts[2].isEmpty())
        return TokenError::BadAlgorithm;
    if (!isBase64UrlSegment(parts[2]))
        return TokenError::Malformed;

    const std::optional<QJsonObject> header = jsonSegment(parts[0]);
    if (!header)
        return TokenError::Malformed;
    if (header->value(QLatin1String("alg")) != QJsonValue(QLatin1String("HS256")))
        return TokenError::BadAlgorithm;

    const QByteArray expected =
        QMessageAuthenticationCode::hash(parts[0] + '.' + parts[1], m_secret, QCryptographicHash::Sha256);
    if (!equalDigests(QByteArray::fromBase64(parts[2], QByteArray::Base64UrlEncoding), expected))
        return TokenError::BadSignature;

    const std::optional<QJsonObject> payload = jsonSegment(parts[1]);
    if (!payload)
        return TokenError::Malformed;
    const QJsonValue discordId = payload->value(QLatin1String("discord_id"));
    if (!discordId.isString() || discordId.toString().isEmpty())
        return TokenError::Malformed;
    const auto iat = numericClaim(*payload, "iat");
    const auto exp = numericClaim(*payload, "exp");
    const auto nbf = numericClaim(*payload, "nbf");
    if (!iat || !exp || !nbf)
        return TokenError::Malformed;
    // jsonwebtoken treats a token as expired from the second exp names.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (*exp && now >= **exp)
        return TokenError::Expired;
    if (*nbf && now < **nbf)
        return TokenError::NotYetValid;

    TokenClaims claims;
    claims.discordId = discordId.toString();
    const QJsonValue role = payload->value(QLatin1String("role"));
    if (role.isDouble() && std::floor(role.toDouble()) == role.toDouble() &&
        std::fabs(role.toDouble()) <= 1e9)
        claims.role = static_cast<int>(role.toDouble());
    claims.issuedAt = *iat;
    claims.expiresAt = *exp;
    return claims;
}

QString JwtCodec::describe(TokenError error) {
    switch (error) {
    case TokenError::Malformed:
        return QStringLiteral("Malformed token");
    case TokenError::BadAlgorithm:
        return QStringLiteral("Token algorithm not allowed");
    case TokenError::BadSignature:
        return QStringLiteral("Invalid token signature");
    case TokenError::Expired:
        return QStringLiteral("Token expired");
    case TokenError::NotYetValid:
        return QStringLiteral("Token not yet valid");
    }
    return QStringLiteral("Invalid token");
}

} // namespace nav::auth
