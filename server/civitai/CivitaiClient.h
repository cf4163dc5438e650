#pragma once
// Asynchronous calls to the CivitAI REST API (CIVITAI_API_BASE, https://civitai.com/api/v1 by default).
// The API key is added here and never leaves the server. Every call has a timeout and a size limit, and
// redirects are followed only within the same origin so the key cannot be carried elsewhere.
#include "server/civitai/OutboundPolicy.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QObject>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace nav::civitai {

struct CivitaiReply {
    int status = 0;    // upstream HTTP status, 0 when there was no complete answer
    QByteArray body;   // the upstream body (empty on failures)
    QString errorCode; // empty when an answer arrived (of any status); else CIVITAI_UNAVAILABLE,
                       // CIVITAI_TIMEOUT, CIVITAI_TOO_LARGE or CIVITAI_UNSAFE_URL
    QString errorMessage;

    bool ok() const { return errorCode.isEmpty() && status >= 200 && status < 300; }
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

using ReplyCallback = std::function<void(const CivitaiReply &reply)>;

class CivitaiClient final : public QObject {
    Q_OBJECT
public:
    struct Limits {
        int timeoutMs = 30'000;
        qint64 maxBytes = 10LL << 20;
    };
    CivitaiClient(const QUrl &base, const QString &apiKey, const Limits &limits, QObject *parent = nullptr);

    QUrl base() const { return m_base; }
    bool hasKey() const { return !m_apiKey.isEmpty(); }
    // Created on first use: a QNetworkAccessManager costs about half a MiB of resident memory, and most
    // runs never call CivitAI.
    QNetworkAccessManager *network();
    // Where outgoing requests may go (the base origin, or public addresses); used by the downloader too.
    const OutboundPolicy &outboundPolicy() const { return m_policy; }

    // GET of any URL below the base (the caller has checked it), with the key as a Bearer token. A URL off
    // the base origin is refused (CIVITAI_UNSAFE_URL) without a request.
    void get(const QUrl &url, ReplyCallback done);

    // True when the key is accepted (a request that needs it answers 200). Cached for a minute.
    void checkAuthenticated(std::function<void(bool)> done);
    void modelVersionByHash(const QString &hash, ReplyCallback done);
    void modelVersionById(qint64 id, ReplyCallback done);

    // A file download URL from CivitAI with the key added as ?token=, but only when it points at the
    // CivitAI origin itself; any other URL is returned unchanged.
    QUrl authorizedDownloadUrl(const QUrl &downloadUrl) const;

private:
    QUrl endpoint(const QString &relativePath, const QString &query = {}) const;

    QUrl m_base;
    QString m_apiKey;
    Limits m_limits;
    OutboundPolicy m_policy;
    QNetworkAccessManager *m_network = nullptr;
    qint64 m_authCheckedAt = 0;
    bool m_authCached = false;
};

} // namespace nav::civitai
