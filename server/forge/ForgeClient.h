#pragma once
// Asynchronous JSON calls to one Forge backend. Every call has a timeout; failures are reported as a
// ForgeError whose code matches what the original Navigator put in task-failed events (ECONNREFUSED,
// ETIMEDOUT, HTTP_<status>, ...).
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include <functional>
#include <optional>

namespace nav::forge {

class HttpClient;

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

class ForgeClient final : public QObject {
    Q_OBJECT
public:
    // sdApiHost is SD_API_HOST (…/sdapi/v1); base is the same server without the /sdapi/v1 suffix.
    ForgeClient(const QUrl &sdApiHost, const QUrl &base, QObject *parent = nullptr);

    static constexpr int kDefaultTimeoutMs = 15'000;

    // `path` is relative to /sdapi/v1, e.g. "/sd-models".
    void get(const QString &path, JsonCallback done, int timeoutMs = kDefaultTimeoutMs);
    void post(const QString &path, const QJsonObject &body, JsonCallback done,
              int timeoutMs = kDefaultTimeoutMs);
    // A generation POST (txt2img/img2img) that is sent at most once: it is never retried (Forge would run
    // the job twice), and goes out only on a fresh or recently used connection (see HttpClient). When the
    // connection drops, the call fails with ECONNRESET, and the caller asks Forge (/internal/progress) what
    // became of the task.
    void postOnce(const QString &path, const QJsonObject &body, JsonCallback done, int timeoutMs);
    // `path` is relative to the server root, e.g. "/internal/progress".
    void postRoot(const QString &path, const QJsonObject &body, JsonCallback done,
                  int timeoutMs = kDefaultTimeoutMs);

    QUrl sdApiHost() const { return m_sdApiHost; }
    QUrl base() const { return m_base; }
    // Points later calls at another backend (the lookup client follows a backend that is up).
    void setTarget(const QUrl &sdApiHost, const QUrl &base);

private:
    // Serialises `body` (on a worker thread when it is big) and sends it; `once`: see postOnce().
    void sendJson(const QUrl &url, const QJsonObject &body, JsonCallback done, int timeoutMs,
                  bool once = false);
    void send(const QUrl &url, const QByteArray &method, const QByteArray &body, JsonCallback done,
              int timeoutMs, bool once = false);

    QUrl m_sdApiHost;
    QUrl m_base;
    HttpClient *m_http;
};

} // namespace nav::forge
