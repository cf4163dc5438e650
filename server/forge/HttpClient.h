#pragma once
// A lean HTTP/1.1 client for Forge that runs on the caller's event loop (no extra thread, unlike
// QNetworkAccessManager): a small pool of keep-alive connections per origin, a queue beyond it, a deadline
// per call and Basic auth from the URL's credentials.
#include "server/forge/HttpConnection.h"

#include <QObject>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <memory>
#include <unordered_map>

namespace nav::forge {

struct HttpRequest {
    QByteArray method = "GET";
    QUrl url; // may carry user:password, sent as Basic auth and never logged
    QByteArray body;
    QByteArray contentType; // sent when not empty
    // Sent at most once: never retried, and only handed to a connection that has been idle for a short
    // while (see HttpClient.cpp).
    bool once = false;
    int timeoutMs = 15'000; // the whole call, queueing and connecting included
};

class HttpClient final : public QObject {
    Q_OBJECT
public:
    // Connections per origin at a time (open or being opened); further calls wait for one.
    static constexpr int kMaxConnectionsPerOrigin = 6;
    // A once-only request goes out on an idle connection only when it has been idle for less than this.
    static constexpr qint64 kOnceMaxIdleMs = 2'000;

    explicit HttpClient(QObject *parent = nullptr);

    // `done` runs once, on this thread, unless the client is destroyed first.
    void send(const HttpRequest &request, HttpConnection::Done done);

private:
    struct Call;
    struct Pool {
        std::vector<HttpConnection *> idle; // the most recently used last
        int open = 0;
        std::deque<std::shared_ptr<Call>> waiting;
    };

    void dispatch(const std::shared_ptr<Call> &call);
    HttpConnection *takeIdle(Pool &pool, bool once);
    void onDone(HttpConnection *connection, const std::shared_ptr<Call> &call, bool reused,
                HttpResult result);
    void onLost(HttpConnection *connection);
    void discard(Pool &pool, HttpConnection *connection);
    void serveWaiting(Pool &pool);
    void expireWaiting();

    std::unordered_map<QString, Pool> m_pools; // by HttpOrigin::key(); references stay valid
    QTimer m_waitingDeadline;                  // the earliest deadline of a waiting call
};

} // namespace nav::forge
