#pragma once
// Asynchronous JSON calls to one Forge backend. Every call has a timeout; failures are reported as a
// ForgeError whose code matches what the original Navigator put in task-failed events (ECONNREFUSED,
// ETIMEDOUT, HTTP_<status>, ...).
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace nav::forge {

struct ForgeError {
    QString code;    // ECONNREFUSED, ETIMEDOUT, ECONNRESET, HTTP_500, EBADRESPONSE, ...
    QString message; // human-readable, includes Forge's own message when it sent one
    int httpStatus = 0;
    // True when the request never reached Forge (connection refused), so it is safe to send again.
    bool neverDelivered = false;
};

// A backend's name for logs, jobs.backend, admin answers and errors: host:port, never the credentials.
QString backendName(const QUrl &sdApiHost);

using JsonCallback = std::function<void(const QJsonDocument &body, const std::optional<ForgeError> &error)>;

// A call in flight; abort() ends it and its callback runs with ECANCELED. A call with a big body may still be
// serialising it on a worker thread; it is active then too.
class ForgeCall {
public:
    ForgeCall() = default;
    void abort();
    bool active() const;

private:
    friend class ForgeClient;
    struct State {
        QPointer<QNetworkReply> reply;
        JsonCallback pendingDone; // set while the body is being serialised
    };
    std::shared_ptr<State> m_state;
};

class ForgeClient : public QObject {
    Q_OBJECT
public:
    // sdApiHost is SD_API_HOST (…/sdapi/v1); base is the same server without the /sdapi/v1 suffix.
    ForgeClient(const QUrl &sdApiHost, const QUrl &base, QObject *parent = nullptr);

    static constexpr int kDefaultTimeoutMs = 15'000;

    // `path` is relative to /sdapi/v1, e.g. "/sd-models".
    ForgeCall get(const QString &path, JsonCallback done, int timeoutMs = kDefaultTimeoutMs);
    ForgeCall post(const QString &path, const QJsonObject &body, JsonCallback done,
                   int timeoutMs = kDefaultTimeoutMs);
    // A generation POST (txt2img/img2img) that is sent at most once: when the connection drops, Qt's HTTP
    // stack would silently send it again and Forge would run the job twice. Here the call fails with
    // ECONNRESET instead, and the caller asks Forge (/internal/progress) what became of the task.
    ForgeCall postOnce(const QString &path, const QJsonObject &body, JsonCallback done, int timeoutMs);
    // `path` is relative to the server root, e.g. "/internal/progress".
    ForgeCall postRoot(const QString &path, const QJsonObject &body, JsonCallback done,
                       int timeoutMs = kDefaultTimeoutMs);

    QUrl sdApiHost() const { return m_sdApiHost; }
    QUrl base() const { return m_base; }
    // Points later calls at another backend (the lookup client follows a backend that is up).
    void setTarget(const QUrl &sdApiHost, const QUrl &base);

private:
    // Serialises `body` (on a worker thread when it is big) and sends it; `once`: see postOnce().
    ForgeCall sendJson(const QUrl &url, const QJsonObject &body, JsonCallback done, int timeoutMs,
                       bool once = false);
    void send(const std::shared_ptr<ForgeCall::State> &call, const QUrl &url, const QByteArray &method,
              const QByteArray &body, JsonCallback done, int timeoutMs, bool once = false);

    QUrl m_sdApiHost;
    QUrl m_base;
    QNetworkAccessManager *m_network;
};

} // namespace nav::forge
