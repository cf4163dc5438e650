#include "server/realtime/EngineServer.h"

#include "server/http/GuardedTcpServer.h"
#include "server/realtime/EngineSession.h"
#include "server/realtime/HttpAnswer.h"
#include "server/realtime/PollingTransport.h"
#include "server/realtime/RealtimeLogging_p.h"
#include "server/realtime/WebSocketConnection.h"
#include "server/realtime/WebSocketHandshake.h"
#include "server/realtime/WebSocketTransport.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

#include <fcntl.h>
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

bool isWebSocketUpgrade(const QHttpServerRequest &request) {
    return request.value(QByteArrayLiteral("upgrade")).compare("websocket", Qt::CaseInsensitive) == 0;
}

QLoggingCategory::CategoryFilter g_chainedFilter = nullptr;

// Qt 6.4 warns "WebSocket received but no slots connected" for every upgrade it does not take itself, which
// is all of them here; its other qt.httpserver warnings are about setups this server never makes.
void silenceUpgradeWarnings(QLoggingCategory *category) {
    if (g_chainedFilter)
        g_chainedFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtWarningMsg, false);
}

// Takes the connection's descriptor from Qt: a duplicate stays with us, and Qt's own copy is closed by
// abort() (a plain close(2), which neither shuts the connection down nor resets it while the duplicate is
// open). Bytes Qt had already read past the request head are returned in leftover. -1 on failure.
int takeDescriptor(QTcpSocket *socket, QByteArray *leftover) {
    const int fd = ::fcntl(static_cast<int>(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    *leftover = socket->readAll();
    socket->abort();
    return fd;
}

} // namespace

EngineServer::EngineServer(const EngineSettings &settings, QObject *parent)
    : QAbstractHttpServer(parent), m_settings(settings) {
    if (m_settings.idleConnectionTimeoutMs <= 0)
        m_settings.idleConnectionTimeoutMs = m_settings.pingIntervalMs + m_settings.pingTimeoutMs + 5000;
    // Upgrades are answered by handleRequest, so newWebSocketConnection stays unconnected: Qt then keeps its
    // QWebSocketServer out of it.
    static const bool filterInstalled = [] {
        g_chainedFilter = QLoggingCategory::installFilter(silenceUpgradeWarnings);
        return true;
    }();
    Q_UNUSED(filterInstalled);
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
    nav::http::ConnectionLimits limits = m_settings.connection;
    limits.maxBodyBytes = m_settings.maxPayload;
    limits.idleTimeoutMs = m_settings.idleConnectionTimeoutMs;
    auto *tcp = new nav::http::GuardedTcpServer(limits, this);
    // Clients reconnect all at once after a restart; the default backlog (50) drops their SYNs, which costs
    // each of them a one-second retransmit.
    tcp->setListenBacklogSize(1024);
    if (!tcp->listen(address, port)) {
        m_error = tcp->errorString();
        delete tcp;
        return false;
    }
    m_tcp = tcp;
    bind(tcp);
    return true;
}

quint16 EngineServer::port() const {
    return m_tcp ? m_tcp->serverPort() : 0;
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

bool EngineServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) {
    m_answeredUpgrade = nullptr;
    if (!pathMatches(request.url().path()))
        return false;
    if (isWebSocketUpgrade(request)) {
        handleUpgrade(request, socket);
        return true;
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    const QByteArray &cors = m_settings.corsOrigin;
    const auto method = request.method();
    if (method == QHttpServerRequest::Method::Options) {
        responder.writeStatusLine(QHttpServerResponder::StatusCode::NoContent);
        responder.writeHeader("Access-Control-Allow-Origin", cors);
        responder.writeHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        responder.writeHeader("Access-Control-Allow-Headers",
                              request.value(QByteArrayLiteral("access-control-request-headers")).isEmpty()
                                  ? QByteArray("Content-Type")
                                  : request.value(QByteArrayLiteral("access-control-request-headers")));
        responder.writeHeader("Content-Length", "0");
        responder.writeBody(QByteArray());
        if (auto *guard = nav::http::ConnectionGuard::of(socket))
            guard->responseSent();
        return true;
    }
    const QUrlQuery query(request.url());
    auto fail = [&](const RequestError &e) {
        writeError(responder, e.status, e.code, e.message, cors);
        return true;
    };
    if (auto error = checkQuery(query))
        return fail(*error);
    const QString transport = query.queryItemValue(QStringLiteral("transport"));
    const QString sid = query.queryItemValue(QStringLiteral("sid"));
    if (method != QHttpServerRequest::Method::Get && method != QHttpServerRequest::Method::Post)
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
        if (session->isUpgrading() && method == QHttpServerRequest::Method::Get) {
            deferPoll(sid, std::move(responder));
            return true;
        }
        polling->handleRequest(request, std::move(responder));
        return true;
    }
    if (method != QHttpServerRequest::Method::Get)
        return fail(kBadMethod);
    if (m_sessions.size() >= m_settings.maxSessions)
        return fail(kTooMany);

    const HandshakeInfo handshake = handshakeOf(request);
    auto *polling = new PollingTransport(m_settings);
    EngineSession *session = createSession(polling, handshake);
    // The open packet goes into the session buffer first, so this GET carries it.
    session->sendOpen(openPacket(session->id(), true));
    polling->handleRequest(request, std::move(responder));
    emit connection(session);
    return true;
}

HandshakeInfo EngineServer::handshakeOf(const QHttpServerRequest &request) const {
    QString path = request.url().path();
    // The configured string itself, shared by every session, rather than one copy each.
    for (const QString &configured : m_settings.paths)
        if (configured == path)
            path = configured;
    return HandshakeInfo{request.remoteAddress(), request.value(QByteArrayLiteral("x-forwarded-for")),
                         request.value(QByteArrayLiteral("cf-connecting-ip")), path};
}

void EngineServer::deferPoll(const QString &sid, QHttpServerResponder &&responder) {
    // A poll that races a WebSocket upgrade: the probe frames were usually sent before it, so let the event
    // loop read them first, then decide (the session may have moved to WebSocket by then).
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    QPointer<QTcpSocket> socket(held->socket());
    QTimer::singleShot(kUpgradeRaceDelayMs, this, [this, sid, held, socket] {
        if (!socket)
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

void EngineServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) {
    // Qt 6.4 calls this after every upgrade request, also those handleRequest answered.
    if (std::exchange(m_answeredUpgrade, nullptr) == socket)
        return;
    QHttpServerResponder responder = makeResponder(request, socket);
    writeAnswer(responder, 404, R"({"error":"Not found","error_code":"NOT_FOUND"})", "application/json",
                m_settings.corsOrigin);
}

void EngineServer::handleUpgrade(const QHttpServerRequest &request, QTcpSocket *socket) {
    m_answeredUpgrade = socket;
    const auto *guard = nav::http::ConnectionGuard::of(socket);
    const ws::UpgradeRequest upgrade{request.method() == QHttpServerRequest::Method::Get,
                                     !(guard && guard->oldestRequestIsHttp10()),
                                     request.value(QByteArrayLiteral("upgrade")),
                                     request.value(QByteArrayLiteral("connection")),
                                     request.value(QByteArrayLiteral("sec-websocket-key")),
                                     request.value(QByteArrayLiteral("sec-websocket-version"))};
    const ws::UpgradeVerdict verdict = ws::checkUpgrade(upgrade);
    if (!verdict.accepted()) {
        qCDebug(lcRealtime) << "refusing a WebSocket handshake:" << verdict.message;
        QHttpServerResponder responder = makeResponder(request, socket);
        responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(verdict.status));
        if (verdict.offerVersion)
            responder.writeHeader("Sec-WebSocket-Version", "13");
        const QByteArray body = QJsonDocument(QJsonObject{{"code", EngineError::BadRequest},
                                                          {"message", QString::fromUtf8(verdict.message)}})
                                    .toJson(QJsonDocument::Compact);
        responder.writeHeader("Content-Type", "application/json");
        responder.writeHeader("Content-Length", QByteArray::number(body.size()));
        responder.writeHeader("Connection", "close");
        responder.writeBody(body);
        socket->disconnectFromHost(); // once the answer is written
        return;
    }
    QByteArray leftover;
    const int fd = takeDescriptor(socket, &leftover);
    if (fd < 0) {
        qCWarning(lcRealtime) << "could not take over a WebSocket connection:" << qt_error_string(errno);
        socket->abort();
        return;
    }
    const QByteArray answer = ws::switchingProtocolsAnswer(upgrade.key);
    // The first bytes on a fresh connection: the socket buffer takes them whole.
    if (::send(fd, answer.constData(), static_cast<size_t>(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT) !=
        answer.size()) {
        ::close(fd);
        return;
    }
    auto *connection = new WebSocketConnection(fd, m_settings.maxPayload);
    // The connection keeps its place in the per-address and total caps until it is gone.
    nav::http::GuardedTcpServer::moveConnectionTally(socket, connection);
    startWebSocket(connection, request);
    connection->receive(leftover.constData(), leftover.size());
}

void EngineServer::startWebSocket(WebSocketConnection *connection, const QHttpServerRequest &request) {
    const QUrlQuery query(request.url());
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
    const HandshakeInfo handshake = handshakeOf(request);
    EngineSession *session = createSession(new WebSocketTransport(connection, m_settings), handshake);
    session->sendOpen(openPacket(session->id(), false));
    emit this->connection(session);
}

} // namespace nav::realtime
