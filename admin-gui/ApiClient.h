#pragma once
// Asynchronous JSON client for Navigator's HTTP API: a base URL plus the admin token, every call answered
// later through a callback on the caller's thread. Nothing here blocks; a dead server ends in a timeout.
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace nav::admin {

// What went wrong with one call, sorted into the cases the window explains differently.
struct ApiError {
    enum Kind {
        None,
        Unreachable, // connection refused, host not found, reset, timeout
        BadToken,    // 401
        Forbidden,   // 403 (role too low, disabled user)
        NotFound,    // 404
        Http,        // any other non-2xx
        BadResponse, // 2xx but not the JSON we expected
    };
    Kind kind = None;
    int status = 0;
    QString message; // readable: what failed and why
    QString code;    // the server's error_code, when it sent one
};

struct ApiReply {
    int status = 0;
    QByteArray body;
    QJsonDocument json;
    QByteArray contentType;
    ApiError error;

    bool ok() const { return error.kind == ApiError::None; }
    QJsonObject object() const { return json.object(); }
};

class ApiClient : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const ApiReply &)>;

    explicit ApiClient(QObject *parent = nullptr);

    void setBaseUrl(const QUrl &url);
    QUrl baseUrl() const { return m_baseUrl; }
    void setToken(const QString &token) { m_token = token; }
    QString token() const { return m_token; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    // The Authorization value for a token: a JWT (three dot-separated base64url parts) goes as
    // "Bearer <jwt>", anything else (SUPERUSER_ADMIN_TOKEN) is sent raw, as the original Navigator expects.
    static QByteArray authorizationFor(const QString &token);
    static bool looksLikeJwt(const QString &token);

    // pathAndQuery is root-relative ("/api/admin/queue?include_recent=20"). The callback runs on this
    // thread, and never once `context` is gone. authenticated=false leaves the token out.
    void get(const QString &pathAndQuery, QObject *context, Callback callback, bool authenticated = true);
    void post(const QString &path, const QJsonObject &body, QObject *context, Callback callback);
    void put(const QString &path, const QJsonObject &body, QObject *context, Callback callback);

    QUrl urlFor(const QString &pathAndQuery) const;

private:
    void send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
              bool authenticated, QObject *context, Callback callback);
    ApiReply finish(QNetworkReply *reply) const;

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_token;
    int m_timeoutMs = 10000;
};

} // namespace nav::admin
