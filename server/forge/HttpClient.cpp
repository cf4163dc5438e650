#include "server/forge/HttpClient.h"

#include <algorithm>

namespace nav::forge {

struct HttpClient::Call {
    Pool *pool = nullptr;
    HttpOrigin origin;
    QByteArray head;
    QByteArray body;
    bool once = false;
    bool retried = false;
    QDeadlineTimer deadline;
    HttpConnection::Done done;
};

namespace {

bool isHttps(const QUrl &url) {
    return url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
}

// The request line and headers. Credentials in the URL go out up front as Basic auth (Forge --api-auth);
// they never appear in the request target. No Accept-Encoding: Forge's big answers are base64 PNGs, which
// gzip shrinks by little more than the base64 overhead, at a CPU cost on both ends.
QByteArray requestHead(const HttpRequest &request) {
    const QUrl &url = request.url;
    QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']'; // IPv6 literal
    const int defaultPort = isHttps(url) ? 443 : 80;
    if (url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(url.port());

    QByteArray head;
    head.reserve(160 + target.size());
    head += request.method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Navigator\r\n";
    if (!url.userName().isEmpty())
        head += "Authorization: Basic " +
                (url.userName(QUrl::FullyDecoded) + QLatin1Char(':') + url.password(QUrl::FullyDecoded))
                    .toUtf8()
                    .toBase64() +
                "\r\n";
    if (!request.contentType.isEmpty())
        head += "Content-Type: " + request.contentType + "\r\n";
    if (!request.body.isEmpty() || request.method != "GET")
        head += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    head += "\r\n";
    return head;
}

} // namespace

HttpClient::HttpClient(QObject *parent) : QObject(parent) {
    m_waitingDeadline.setSingleShot(true);
    connect(&m_waitingDeadline, &QTimer::timeout, this, &HttpClient::expireWaiting);
}

void HttpClient::send(const HttpRequest &request, HttpConnection::Done done) {
    const QUrl &url = request.url;
    const QString scheme = url.scheme().toLower();
    if ((scheme != QLatin1String("http") && scheme != QLatin1String("https")) || url.host().isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [done = std::move(done), url = url.toDisplayString(QUrl::RemoveUserInfo)] {
                done({HttpResult::Outcome::NetworkError,
                      0,
                      {},
                      QStringLiteral("not an http(s) URL with a host: %1").arg(url),
                      false});
            },
            Qt::QueuedConnection);
        return;
    }
    auto call = std::make_shared<Call>();
    call->origin = {scheme, url.host(), quint16(url.port(isHttps(url) ? 443 : 80))};
    call->pool = &m_pools[call->origin.key()];
    call->head = requestHead(request);
    call->body = request.body;
    call->once = request.once;
    call->deadline = QDeadlineTimer(request.timeoutMs);
    call->done = std::move(done);
    dispatch(call);
}

// Gives the call an idle connection, a new one, or a place in the queue. Nothing may follow exchange():
// it can report at once.
void HttpClient::dispatch(const std::shared_ptr<Call> &call) {
    Pool &pool = *call->pool;
    HttpConnection *connection = call->retried ? nullptr : takeIdle(pool, call->once);
    if (!connection) {
        if (pool.open >= kMaxConnectionsPerOrigin) {
            if (pool.idle.empty()) {
                pool.waiting.push_back(call);
                const int left = int(std::max<qint64>(0, call->deadline.remainingTime()));
                if (!m_waitingDeadline.isActive() || left < m_waitingDeadline.remainingTime())
                    m_waitingDeadline.start(left);
                return;
            }
            discard(pool, pool.idle.front()); // the longest idle one makes room
        }
        connection = new HttpConnection(call->origin, this);
        connect(connection, &HttpConnection::lost, this, &HttpClient::onLost);
        ++pool.open;
    }
    const bool reused = connection->exchanges() > 0;
    connection->exchange(
        call->head, call->body, call->deadline,
        [this, connection, call, reused](HttpResult r) { onDone(connection, call, reused, std::move(r)); });
}

// The most recently used idle connection that can take the call. A once-only request (a generation) skips
// connections idle for kOnceMaxIdleMs or longer: the server may be closing them right now (uvicorn, which
// serves Forge, closes idle keep-alive connections after its keep-alive timeout, 5 s by default), and a
// request lost in that race cannot be sent again. Connections the server has already closed are dropped here.
HttpConnection *HttpClient::takeIdle(Pool &pool, bool once) {
    for (auto it = pool.idle.rbegin(); it != pool.idle.rend();) {
        HttpConnection *connection = *it;
        if (!connection->reusable()) {
            discard(pool, connection); // erases it from pool.idle
            it = pool.idle.rbegin();   // restart: the vector changed
            continue;
        }
        if (once && connection->idleMs() >= kOnceMaxIdleMs) {
            ++it;
            continue;
        }
        pool.idle.erase(std::next(it).base());
        return connection;
    }
    return nullptr;
}

void HttpClient::onDone(HttpConnection *connection, const std::shared_ptr<Call> &call, bool reused,
                        HttpResult result) {
    Pool &pool = *call->pool;
    if (connection->state() == HttpConnection::State::Idle)
        pool.idle.push_back(connection);
    else
        discard(pool, connection);
    // A reused connection that fails before any byte of the answer was most likely closed by the server
    // while idle: an ordinary request goes out once more on a fresh connection (as Qt's own client does).
    const bool staleConnection = reused && !result.answerStarted &&
                                 (result.outcome == HttpResult::Outcome::Closed ||
                                  result.outcome == HttpResult::Outcome::NetworkError);
    if (staleConnection && !call->once && !call->retried && !call->deadline.hasExpired()) {
        call->retried = true;
        serveWaiting(pool);
        dispatch(call);
        return;
    }
    serveWaiting(pool);
    call->done(std::move(result));
}

void HttpClient::onLost(HttpConnection *connection) {
    Pool &pool = m_pools[connection->origin().key()];
    discard(pool, connection);
    serveWaiting(pool);
}

void HttpClient::discard(Pool &pool, HttpConnection *connection) {
    pool.idle.erase(std::remove(pool.idle.begin(), pool.idle.end(), connection), pool.idle.end());
    --pool.open;
    connection->close();
    connection->deleteLater(); // it may be reporting right now
}

void HttpClient::serveWaiting(Pool &pool) {
    while (!pool.waiting.empty() && (pool.open < kMaxConnectionsPerOrigin || !pool.idle.empty())) {
        std::shared_ptr<Call> call = std::move(pool.waiting.front());
        pool.waiting.pop_front();
        dispatch(call);
    }
}

// Fails the waiting calls whose deadline passed, and waits for the next one.
void HttpClient::expireWaiting() {
    std::vector<std::shared_ptr<Call>> expired;
    qint64 next = -1;
    for (auto &[key, pool] : m_pools) {
        for (auto it = pool.waiting.begin(); it != pool.waiting.end();) {
            if ((*it)->deadline.hasExpired()) {
                expired.push_back(std::move(*it));
                it = pool.waiting.erase(it);
                continue;
            }
            const qint64 left = (*it)->deadline.remainingTime();
            next = next < 0 ? left : std::min(next, left);
            ++it;
        }
    }
    if (next >= 0)
        m_waitingDeadline.start(int(next));
    for (const auto &call : expired)
        call->done(
            {HttpResult::Outcome::TimedOut, 0, {}, QStringLiteral("no connection free in time"), false});
}

} // namespace nav::forge
