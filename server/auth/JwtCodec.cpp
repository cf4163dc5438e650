#include "server/auth/JwtCodec.h"

#include <QDateTime>
#include <QMessageAuthenticationCode>

#include <jwt/jwt.hpp>
#include <openssl/crypto.h>

namespace nav::auth {

namespace {

bool isBase64UrlSegment(const QByteArray &segment) {
    if (segment.isEmpty())
        return false;
    for (const char c : segment) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

qint64 nowSeconds() {
    return QDateTime::currentSecsSinceEpoch();
}

// A JSON number claim as whole seconds; nullopt when absent, error when present but not a number.
std::optional<std::optional<qint64>> numericClaim(const nlohmann::json &payload, const char *name) {
    const auto it = payload.find(name);
    if (it == payload.end())
        return std::optional<qint64>{};
    if (!it->is_number())
        return std::nullopt;
    return std::optional<qint64>{static_cast<qint64>(it->get<double>())};
}

} // namespace

JwtCodec::JwtCodec(const QByteArray &secret) : m_secret(secret) {}

QString JwtCodec::sign(const QString &discordId, int role, qint64 ttlMs,
                       std::optional<qint64> nowSecs) const {
    const qint64 iat = nowSecs.value_or(nowSeconds());
    jwt::jwt_object token{jwt::params::algorithm("HS256"),
                          jwt::params::secret(std::string(m_secret.constData(), m_secret.size()))};
    token.add_claim("discord_id", discordId.toStdString());
    token.add_claim("role", role);
    token.add_claim("iat", iat);
    if (ttlMs >= 0)
        token.add_claim("exp", iat + ttlMs / 1000); // jsonwebtoken: exp = iat + floor(ms / 1000)
    std::error_code ec;
    const std::string encoded = token.signature(ec);
    return ec ? QString() : QString::fromStdString(encoded);
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

    const QByteArray header = QByteArray::fromBase64(parts[0], QByteArray::Base64UrlEncoding);
    const auto headerJson = nlohmann::json::parse(header.constData(), header.constData() + header.size(),
                                                  nullptr, /*allow_exceptions=*/false);
    if (!headerJson.is_object())
        return TokenError::Malformed;
    const auto alg = headerJson.find("alg");
    if (alg == headerJson.end() || !alg->is_string() || alg->get<std::string>() != "HS256")
        return TokenError::BadAlgorithm;

    const QByteArray signingInput = parts[0] + '.' + parts[1];
    const QByteArray expected =
        QMessageAuthenticationCode::hash(signingInput, m_secret, QCryptographicHash::Sha256);
    const QByteArray given = QByteArray::fromBase64(parts[2], QByteArray::Base64UrlEncoding);
    if (given.size() != expected.size() ||
        CRYPTO_memcmp(given.constData(), expected.constData(), static_cast<size_t>(expected.size())) != 0)
        return TokenError::BadSignature;

    // The signature is genuine; cpp-jwt now checks the algorithm list, exp and nbf once more.
    std::error_code ec;
    jwt::jwt_object decoded;
    try {
        decoded = jwt::decode(jwt::string_view(token.constData(), static_cast<size_t>(token.size())),
                              jwt::params::algorithms({"HS256"}), ec,
                              jwt::params::secret(std::string(m_secret.constData(), m_secret.size())),
                              jwt::params::verify(true));
    } catch (const std::exception &) {
        return TokenError::Malformed;
    }
    if (ec) {
        if (ec == jwt::VerificationErrc::TokenExpired)
            return TokenError::Expired;
        if (ec == jwt::VerificationErrc::ImmatureSignature)
            return TokenError::NotYetValid;
        if (ec == jwt::VerificationErrc::InvalidAlgorithm || ec == jwt::AlgorithmErrc::NoneAlgorithmUsed)
            return TokenError::BadAlgorithm;
        if (ec == jwt::VerificationErrc::InvalidSignature)
            return TokenError::BadSignature;
        return TokenError::Malformed;
    }

    const nlohmann::json payload = decoded.payload().create_json_obj();
    const auto discordId = payload.find("discord_id");
    if (discordId == payload.end() || !discordId->is_string() || discordId->get<std::string>().empty())
        return TokenError::Malformed;
    const auto iat = numericClaim(payload, "iat");
    const auto exp = numericClaim(payload, "exp");
    const auto nbf = numericClaim(payload, "nbf");
    if (!iat || !exp || !nbf)
        return TokenError::Malformed;
    // Checked here as well: cpp-jwt casts exp to unsigned, so a negative exp would never expire there.
    // jsonwebtoken treats a token as expired from the second exp names.
    const qint64 now = nowSeconds();
    if (*exp && now >= **exp)
        return TokenError::Expired;
    if (*nbf && now < **nbf)
        return TokenError::NotYetValid;

    TokenClaims claims;
    claims.discordId = QString::fromStdString(discordId->get<std::string>());
    const auto role = payload.find("role");
    if (role != payload.end() && role->is_number_integer())
        claims.role = role->get<int>();
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
