#pragma once
// HS256 JSON Web Tokens in the original Navigator's format: payload {discord_id, role, iat, exp}, header
// {"alg":"HS256","typ":"JWT"}, signed with SECRET_KEY. Tokens signed by the original (npm jsonwebtoken)
// verify here and ours verify there.
//
// Written on Qt alone (QMessageAuthenticationCode, QJsonDocument): no JWT library, and OpenSSL stays unloaded
// until a TLS connection needs it. Only strict base64url segments are decoded, and the HMAC is compared in
// constant time.
#include <QByteArray>
#include <QString>

#include <optional>
#include <variant>

namespace nav::auth {

struct TokenClaims {
    QString discordId;
    int role = 0;                   // as written at login; the guard reads the current role from the database
    std::optional<qint64> issuedAt; // seconds since the epoch
    std::optional<qint64> expiresAt;
};

enum class TokenError {
    Malformed,    // not three base64url segments, bad JSON, missing or mistyped discord_id
    BadAlgorithm, // anything but HS256, including "none"
    BadSignature,
    Expired,
    NotYetValid, // nbf in the future
};

class JwtCodec {
public:
    explicit JwtCodec(const QByteArray &secret);

    // ttlMs < 0 means no exp claim (TOKEN_EXPIRATION_TIME=-1). nowSecs defaults to the current time.
    QString sign(const QString &discordId, int role, qint64 ttlMs, std::optional<qint64> nowSecs = {}) const;
    std::variant<TokenClaims, TokenError> verify(const QByteArray &token) const;

    static QString describe(TokenError error);
    // Longest token we look at; real ones are about 200 bytes.
    static constexpr int kMaxTokenBytes = 4096;

private:
    QByteArray m_secret;
};

} // namespace nav::auth
