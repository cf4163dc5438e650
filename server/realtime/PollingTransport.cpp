#include "server/realtime/PollingTransport.h"

#include "server/realtime/HttpAnswer.h"
#include "server/realtime/RealtimeLogging_p.h"

#include <QHttpServerRequest>

namespace nav::realtime {

namespace {
const QByteArray kTextType = "text/plain; charset=UTF-8";
}

PollingTransport::PollingTransport(const EngineSettings &settings, QObject *parent)
    : Transport(parent), m_settings(settings) {}

PollingTransport::~PollingTransport() = default;

bool PollingTransport::writable() const {
    return m_get && m_get->socket && !m_finished;
}

void PollingTransport::handleRequest(const QHttpServerRequest &request, QHttpServerResponder &&responder) {
    if (request.method() == QHttpServerRequest::Method::Get)
        onPoll(std::move(responder));
    else
        onPush(request, std::move(responder));
}

void PollingTransport::onPoll(QHttpServerResponder &&responder) {
    if (m_finished) {
        writeError(responder, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        return;
    }
    if (m_get) { // overlapping polls break the protocol: refuse this one and close the session
        writeError(responder, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        reportError(QStringLiteral("overlapping poll requests"));
        return;
    }
    QTcpSocket *socket = responder.socket();
    m_get.reset(new HeldGet{std::move(responder), QPointer<QTcpSocket>(socket), {}});
    // Qt 6.4 deletes the socket (and the request the responder points into) when the client goes away; a
    // poll that ends early closes the session, as in the Node server.
    m_get->onDisconnect = connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        if (m_get && m_get->socket == socket) {
            m_get.reset();
            reportError(QStringLiteral("poll connection closed prematurely"));
        }
    });
    reportDrain();
}

void PollingTransport::onPush(const QHttpServerRequest &request, QHttpServerResponder &&responder) {
    if (m_finished) {
        writeError(responder, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        return;
    }
    const QByteArray body = request.body();
    if (body.size() > m_settings.maxPayload) {
        writeAnswer(responder, 413, {}, kTextType, m_settings.corsOrigin);
        reportError(QStringLiteral("payload too large"));
        return;
    }
    if (request.value(QByteArrayLiteral("content-type")).startsWith("application/octet-stream")) {
        writeError(responder, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        reportError(QStringLiteral("binary POST bodies are not part of Engine.IO v4"));
        return;
    }
    const auto packets = EngineCodec::decodePayload(body);
    if (!packets) {
        writeError(responder, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        reportError(QStringLiteral("parse error"));
        return;
    }
    writeAnswer(responder, 200, "ok", "text/html", m_settings.corsOrigin);
    QPointer<PollingTransport> self(this);
    for (const EnginePacket &received : *packets) {
        if (!self || m_finished)
            return;
        if (received.type == EnginePacket::Type::Close) {
            // The client closes: end a waiting poll cleanly with a noop, then report the close.
            if (writable())
                answerGet(EngineCodec::encodeText(EnginePacket::make(EnginePacket::Type::Noop)));
            finish(QStringLiteral("transport close"));
            return;
        }
        reportPacket(received);
    }
}

void PollingTransport::send(const QList<EnginePacket> &packets) {
    if (!writable() || packets.isEmpty())
        return;
    answerGet(EngineCodec::encodePayload(packets));
}

void PollingTransport::answerGet(const QByteArray &body) {
    std::unique_ptr<HeldGet> held = std::move(m_get);
    if (held && held->socket)
        writeAnswer(held->responder, 200, body, kTextType, m_settings.corsOrigin);
}

void PollingTransport::close() {
    if (m_finished)
        return;
    if (writable())
        answerGet(EngineCodec::encodeText(EnginePacket::make(EnginePacket::Type::Close)));
    finish(QStringLiteral("forced close"));
}

void PollingTransport::discard() {
    if (writable())
        answerGet(EngineCodec::encodeText(EnginePacket::make(EnginePacket::Type::Noop)));
    m_finished = true;
}

void PollingTransport::finish(const QString &reason) {
    if (m_finished)
        return;
    m_finished = true;
    m_get.reset();
    reportClosed(reason);
}

} // namespace nav::realtime
