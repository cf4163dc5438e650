#include "server/realtime/EngineServer.h"

#include "server/http/RawHttpListener.h"
#include "server/realtime/EngineSession.h"
#include "server/realtime/HttpAnswer.h"
#include "server/realtime/PollingTransport.h"
#include "server/realtime/RealtimeLogging_p.h"
#include "server/realtime/WebSocketConnection.h"
#include "server/realtime/WebSocketHandshake.h"
#include "server/realtime/WebSocketTransport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcRealtime, "navigator.realtime")

namespace nav::realtime {

namespace {

constexpr int kUpgradeRaceDelayMs = 20;

QString newSessionId() {
    QByteArray bytes(15, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 3);
    QRandomGenerator::system()->generate(bytes.begin() + 12, bytes.end());
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding));
}

struct RequestError {
    int status;
    int code;
    QByteArray message;
};

const RequestError kUnknownTransport{400, EngineError::UnknownTransport, "Transport unknown"};
const RequestError kUnknownSid{400, EngineError::UnknownSid, "Session ID unknown"};
const RequestError kBadMethod{400, EngineError::BadHandshakeMethod, "Bad handshake method"};
const RequestError kBadRequest{400, EngineError::BadRequest, "Bad request"};
const RequestError kBadVersion{400, EngineError::UnsupportedProtocolVersion, "Unsupported protocol version"};
const RequestError kTooMany{503, EngineError::BadRequest, "Too many sessions"};

// The checks shared by polling requests and WebSocket handshakes, in the order of the Node server.
std::optional<RequestError> checkQuery(const QUrlQuery &query) {
    const QString transport = query.queryItemValue(QStringLiteral("transport"));
    if (transport != QLatin1String("polling") && transport != QLatin1String("websocket"))
        return kUnknownTransport;
    if (query.queryItemValue(QStringLiteral("EIO")) != QLatin1String("4"))
        return kBadVersion;
    return std::nullopt;
}

bool isWebSocketUpgrade(const nav::http::HttpRequest &request) {
    return request.head.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
}

} // namespace

EngineServer::EngineServer(const EngineSettings &settings, QObject *parent)
    : QObject(parent), m_settings(settings) {
    if (m_settings.idleConnectionTimeoutMs <= 0)
        m_settings.idleConnectionTimeoutMs = m_settings.pingIntervalMs + m_settings.pingTimeoutMs + 5000;
    m_limits = m_settings.connection;
    m_limits.maxBodyBytes = m_settings.maxPayload;
    m_limits.bodyLimitName = "RT_MAX_PAYLOAD";
    m_limits.idleTimeoutMs = m_settings.idleConnectionTimeoutMs;
}

EngineServer::~EngineServer() {
    for (EngineSession *session : std::as_const(m_sessions))
        session->disconnect(this);
}

void EngineServer::closeAll() {
    const auto sessions = m_sessions.values(); // close() removes entries
    for (EngineSession *session : sessions)
        session->close(QStringLiteral("server shutting down"));
}

QHash<QString, int> EngineServer::sessionsByTransport() const {
    QHash<QString, int> counts;
    for (const EngineSession *session : m_sessions)
        if (session->transport())
            counts[session->transport()->name()] += 1;
    return counts;
}

bool EngineServer::listen(const QHostAddress &address, quint16 port) {
    auto *listener = new nav::http::RawHttpListener(m_limits, this, this);
    if (!listener->listen(address, port)) {
        m_error = listener->errorString();
        delete listener;
        return false;
    }
    m_listener = listener;
    return true;
}

quint16 EngineServer::port() const {
    return m_listener ? m_listener->serverPort() : 0;
}

int EngineServer::openConnections() const {
    return m_listener ? m_listener->openConnections() : 0;
}

bool EngineServer::pathMatches(const QString &path) const {
    return m_settings.paths.contains(path) || m_settings.paths.contains(path + QLatin1Char('/'));
}

QByteArray EngineServer::openPacket(const QString &sid, bool canUpgrade) const {
    const QJsonObject open{{"sid", sid},
                           {"upgrades", canUpgrade ? QJsonArray{"websocket"} : QJsonArray{}},
                           {"pingInterval", m_settings.pingIntervalMs},
                           {"pingTimeout", m_settings.pingTimeoutMs},
                           {"maxPayload", m_settings.maxPayload}};
    return QJsonDocument(open).toJson(QJsonDocument::Compact);
}

EngineSession *EngineServer::createSession(Transport *transport, const HandshakeInfo &handshake) {
    const QString sid = newSessionId();
    auto *session = new EngineSession(sid, transport, handshake, m_settings, this);
    m_sessions.insert(sid, session);
    connect(session, &EngineSession::closed, this, [this, session, sid] {
        m_sessions.remove(sid);
        session->deleteLater();
    });
    return session;
}

void EngineServer::handleRequest(const nav::http::HttpRequest &request, const QHostAddress &peer,
                                 nav::http::PendingAnswer answer) {
    const QByteArray &cors = m_settings.corsOrigin;
    const QUrl url = QUrl::fromEncoded(request.head.target);
    if (!pathMatches(url.path())) {
        writeAnswer(answer, 404, R"({"error":"Not found","error_code":"NOT_FOUND"})", "application/json",
                    cors);
        return;
    }
    if (isWebSocketUpgrade(request))
        return handleUpgrade(request, url, peer, std::move(answer));
    const QByteArray &method = request.head.method;
    if (method == "OPTIONS") {
        const QByteArray requested = request.head.value("access-control-request-headers");
        answer.write(
            204,
            "Access-Control-Allow-Origin: " + cors +
                "\r\nAccess-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: " +
                (requested.isEmpty() ? QByteArray("Content-Type") : requested) + "\r\n",
            {});
        return;
    }
    const QUrlQuery query(url);
    auto fail = [&](const RequestError &e) { writeError(answer, e.status, e.code, e.message, cors); };
    if (auto error = checkQuery(query))
        return fail(*error);
    const QString transport = query.queryItemValue(QStringLiteral("transport"));
    const QString sid = query.queryItemValue(QStringLiteral("sid"));
    const bool get = method == "GET";
    if (!get && method != "POST")
        return fail(sid.isEmpty() ? kBadMethod : kBadRequest);
    if (transport != QLatin1String("polling")) // a websocket transport needs an upgrade request
        return fail(kBadRequest);
    if (!sid.isEmpty()) {
        EngineSession *session = m_sessions.value(sid);
        if (!session || !session->checkHeartbeat())
            return fail(kUnknownSid);
        auto *polling = qobject_cast<PollingTransport *>(session->transport());
        if (!polling) // the session has moved to WebSocket
            return fail(kBadRequest);
        if (session->isUpgrading() && get)
            return deferPoll(sid, std::move(answer));
        polling->handleRequest(request, std::move(answer));
        return;
    }
    if (!get)
        return fail(kBadMethod);
    if (m_sessions.size() >= m_settings.maxSessions)
        return fail(kTooMany);

    const HandshakeInfo handshake = handshakeOf(request, url.path(), peer);
    auto *polling = new PollingTransport(m_settings);
    EngineSession *session = createSession(polling, handshake);
    // The open packet goes into the session buffer first, so this GET carries it.
    session->sendOpen(openPacket(session->id(), true));
    polling->handleRequest(request, std::move(answer));
    emit connection(session);
}

HandshakeInfo EngineServer::handshakeOf(const nav::http::HttpRequest &request, const QString &path,
                                        const QHostAddress &peer) const {
    QString shared = path;
    // The configured string itself, shared by every session, rather than one copy each.
    for (const QString &configured : m_settings.paths)
        if (configured == path)
            shared = configured;
    return HandshakeInfo{peer, request.head.value("x-forwarded-for"), request.head.value("cf-connecting-ip"),
                         shared};
}

void EngineServer::deferPoll(const QString &sid, nav::http::PendingAnswer &&answer) {
    // A poll that races a WebSocket upgrade: the probe frames were usually sent before it, so let the event
    // loop read them first, then decide (the session may have moved to WebSocket by then).
    auto held = std::make_shared<nav::http::PendingAnswer>(std::move(answer));
    QTimer::singleShot(kUpgradeRaceDelayMs, this, [this, sid, held] {
        if (!held->isOpen())
            return;
        EngineSession *session = m_sessions.value(sid);
        auto *polling = session ? qobject_cast<PollingTransport *>(session->transport()) : nullptr;
        if (!session)
            writeError(*held, 400, EngineError::UnknownSid, "Session ID unknown", m_settings.corsOrigin);
        else if (!polling)
            writeError(*held, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        else
            polling->handlePoll(std::move(*held));
    });
}

void EngineServer::handleUpgrade(const nav::http::HttpRequest &request, const QUrl &url,
                                 const QHostAddress &peer, nav::http::PendingAnswer &&answer) {
    const ws::UpgradeRequest upgrade{request.head.method == "GET",
                                     !request.http10,
                                     request.head.value("upgrade"),
                                     request.head.value("connection"),
                                     request.head.value("sec-websocket-key"),
                                     request.head.value("sec-websocket-version")};
    const ws::UpgradeVerdict verdict = ws::checkUpgrade(upgrade);
    if (!verdict.accepted()) {
        qCDebug(lcRealtime) << "refusing a WebSocket handshake:" << verdict.message;
        const QByteArray body = QJsonDocument(QJsonObject{{"code", EngineError::BadRequest},
                                                          {"message", QString::fromUtf8(verdict.message)}})
                                    .toJson(QJsonDocument::Compact);
        answer.write(verdict.status,
                     QByteArray(verdict.offerVersion ? "Sec-WebSocket-Version: 13\r\n" : "") +
                         "Content-Type: application/json\r\n",
                     body, /*closeAfter=*/true);
        return;
    }
    nav::http::PendingAnswer::TakenConnection taken = answer.takeConnection();
    if (taken.descriptor < 0)
        return;
    const QByteArray switching = ws::switchingProtocolsAnswer(upgrade.key);
    // The first bytes written on this connection since the request: the socket buffer takes them whole.
    if (::send(taken.descriptor, switching.constData(), static_cast<size_t>(switching.size()),
               MSG_NOSIGNAL | MSG_DONTWAIT) != switching.size()) {
        ::close(taken.descriptor);
        return;
    }
    auto *connection = new WebSocketConnection(taken.descriptor, m_settings.maxPayload);
    // The connection keeps its place in the per-address and total caps until it is gone.
    connection->holdTicket(std::move(taken.ticket));
    startWebSocket(connection, request, url, peer);
    connection->receive(taken.buffered.constData(), taken.buffered.size());
}

void EngineServer::startWebSocket(WebSocketConnection *connection, const nav::http::HttpRequest &request,
                                  const QUrl &url, const QHostAddress &peer) {
    const QUrlQuery query(url);
    auto refuse = [connection](const QByteArray &why) {
        qCDebug(lcRealtime) << "refusing WebSocket:" << why;
        connection->close(ws::CloseCode::PolicyViolation, why);
        connection->release();
    };
    if (auto error = checkQuery(query))
        return refuse(error->message);
    if (query.queryItemValue(QStringLiteral("transport")) != QLatin1String("websocket"))
        return refuse("Bad request");
    const QString sid = query.queryItemValue(QStringLiteral("sid"));
    if (!sid.isEmpty()) {
        EngineSession *session = m_sessions.value(sid);
        if (!session)
            return refuse("Session ID unknown");
        if (!qobject_cast<PollingTransport *>(session->transport()) || session->isUpgrading())
            return refuse("Bad request");
        session->startUpgrade(new WebSocketTransport(connection, m_settings));
        return;
    }
    if (m_sessions.size() >= m_settings.maxSessions)
        return refuse("Too many sessions");
    const HandshakeInfo handshake = handshakeOf(request, url.path(), peer);
    EngineSession *session = createSession(new WebSocketTransport(connection, m_settings), handshake);
    session->sendOpen(openPacket(session->id(), false));
    emit this->connection(session);
}

} // namespace nav::realtime
