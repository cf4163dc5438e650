#include "server/civitai/CivitaiClient.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcCivitai, "navigator.civitai")

namespace nav::civitai {

namespace {
constexpr qint64 kAuthCacheMs = 60'000;
}

CivitaiClient::CivitaiClient(const QUrl &base, const QString &apiKey, const Limits &limits, QObject *parent)
    : QObject(parent), m_base(base), m_apiKey(apiKey), m_limits(limits), m_policy(base) {}

QNetworkAccessManager *CivitaiClient::network() {
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        m_network->setAutoDeleteReplies(true);
    }
    return m_network;
}

QUrl CivitaiClient::endpoint(const QString &relativePath, const QString &query) const {
    QUrl url = m_base;
    QString path = url.path();
    if (path.endsWith('/'))
        path.chop(1);
    url.setPath(path + '/' + relativePath);
    url.setQuery(query.isEmpty() ? QString() : query);
    return url;
}

void CivitaiClient::get(const QUrl &url, ReplyCallback done) {
    if (!m_policy.isTrustedOrigin(url)) { // the API key must never leave the CivitAI origin
        CivitaiReply refused;
        refused.errorCode = QStringLiteral("CIVITAI_UNSAFE_URL");
        refused.errorMessage =
            QStringLiteral("Refusing a CivitAI request off its origin: ") + url.toDisplayString();
        qCWarning(lcCivitai).noquote() << refused.errorMessage;
        return done(refused);
    }
    QNetworkRequest request(url);
    request.setRawHeader("User-Agent", "Navigator");
    request.setRawHeader("Accept", "application/json");
    if (!m_apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_apiKey.toUtf8());
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    request.setTransferTimeout(0); // the timer below bounds the whole call
    QNetworkReply *reply = network()->get(request);

    struct State {
        QByteArray body;
        QString failure;
        QString message;
    };
    auto state = std::make_shared<State>();
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply, state] {
        state->failure = QStringLiteral("CIVITAI_TIMEOUT");
        state->message = QStringLiteral("CivitAI did not answer in time");
        reply->abort();
    });
    timer->start(m_limits.timeoutMs);
    const qint64 maxBytes = m_limits.maxBytes;
    auto tooLarge = [reply, state, maxBytes] {
        state->failure = QStringLiteral("CIVITAI_TOO_LARGE");
        state->message = QStringLiteral("The CivitAI answer is larger than %1 bytes").arg(maxBytes);
        reply->abort();
    };
    connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, maxBytes, tooLarge] {
        if (reply->header(QNetworkRequest::ContentLengthHeader).toLongLong() > maxBytes)
            tooLarge();
    });
    connect(reply, &QNetworkReply::readyRead, reply, [reply, state, maxBytes, tooLarge] {
        if (!state->failure.isEmpty())
            return;
        state->body += reply->readAll();
        if (state->body.size() > maxBytes)
            tooLarge();
    });
    connect(reply, &QNetworkReply::finished, this, [reply, state, done = std::move(done), url] {
        CivitaiReply result;
        if (state->failure.isEmpty())
            state->body += reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (!state->failure.isEmpty()) {
            result.errorCode = state->failure;
            result.errorMessage = state->message;
        } else if (status == 0) {
            result.errorCode = QStringLiteral("CIVITAI_UNAVAILABLE");
            result.errorMessage = QStringLiteral("CivitAI could not be reached: ") + reply->errorString();
        } else {
            result.status = status;
            result.body = std::move(state->body);
        }
        if (!result.errorCode.isEmpty())
            qCWarning(lcCivitai).noquote() << "GET" << url.path() << "failed:" << result.errorMessage;
        done(result);
    });
}

void CivitaiClient::checkAuthenticated(std::function<void(bool)> done) {
    if (m_apiKey.isEmpty()) {
        done(false);
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_authCheckedAt && now - m_authCheckedAt < kAuthCacheMs) {
        done(m_authCached);
        return;
    }
    // Hidden models are only listed for an authenticated caller.
    get(endpoint(QStringLiteral("models"), QStringLiteral("hidden=1&limit=1")),
        [this, done = std::move(done)](const CivitaiReply &reply) {
            const bool ok = reply.status == 200;
            if (reply.errorCode.isEmpty()) { // only a real answer is worth remembering
                m_authCached = ok;
                m_authCheckedAt = QDateTime::currentMSecsSinceEpoch();
            }
            if (!ok)
                qCWarning(lcCivitai) << "CivitAI key check failed, status" << reply.status;
            done(ok);
        });
}

void CivitaiClient::modelVersionByHash(const QString &hash, ReplyCallback done) {
    get(endpoint(QStringLiteral("model-versions/by-hash/") +
                 QString::fromLatin1(QUrl::toPercentEncoding(hash))),
        std::move(done));
}

void CivitaiClient::modelVersionById(qint64 id, ReplyCallback done) {
    get(endpoint(QStringLiteral("model-versions/%1").arg(id)), std::move(done));
}

QUrl CivitaiClient::authorizedDownloadUrl(const QUrl &downloadUrl) const {
    const bool sameOrigin = downloadUrl.scheme() == m_base.scheme() && downloadUrl.host() == m_base.host() &&
                            downloadUrl.port(-1) == m_base.port(-1);
    if (!sameOrigin || m_apiKey.isEmpty())
        return downloadUrl;
    QUrl url = downloadUrl;
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("token"));
    query.addQueryItem(QStringLiteral("token"), QString::fromLatin1(QUrl::toPercentEncoding(m_apiKey)));
    url.setQuery(query);
    return url;
}

} // namespace nav::civitai
