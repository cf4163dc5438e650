#include "server/realtime/PollingTransport.h"

#include "server/realtime/HttpAnswer.h"
#include "server/realtime/RealtimeLogging_p.h"

#include <QPointer>

namespace nav::realtime {

namespace {
const QByteArray kTextType = "text/plain; charset=UTF-8";
}

PollingTransport::PollingTransport(const EngineSettings &settings, QObject *parent)
    : Transport(parent), m_settings(settings) {}

PollingTransport::~PollingTransport() = default;

bool PollingTransport::writable() const {
    return m_get.isOpen() && !m_finished;
}

void PollingTransport::handleRequest(const nav::http::HttpRequest &request,
                                     nav::http::PendingAnswer &&answer) {
    if (request.head.method == "GET")
        onPoll(std::move(answer));
    else
        onPush(request, std::move(answer));
}

void PollingTransport::onPoll(nav::http::PendingAnswer &&answer) {
    if (m_finished) {
        writeError(answer, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        return;
    }
    if (m_get.isOpen()) { // overlapping polls break the protocol: refuse this one and close the session
        writeError(answer, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        reportError(QStringLiteral("overlapping poll requests"));
        return;
    }
    m_get = std::move(answer);
    // A poll that ends early closes the session, as in the Node server (see answerLost).
    m_get.setListener(this);
    reportDrain();
}

void PollingTransport::answerLost() {
    reportError(QStringLiteral("poll connection closed prematurely"));
}

void PollingTransport::onPush(const nav::http::HttpRequest &request, nav::http::PendingAnswer &&answer) {
    if (m_finished) {
        writeError(answer, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        return;
    }
    const QByteArray &body = request.body;
    if (body.size() > m_settings.maxPayload) {
        writeAnswer(answer, 413, {}, kTextType, m_settings.corsOrigin);
        reportError(QStringLiteral("payload too large"));
        return;
    }
    if (request.head.value("content-type").startsWith("application/octet-stream")) {
        writeError(answer, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        reportError(QStringLiteral("binary POST bodies are not part of Engine.IO v4"));
        return;
    }
    const auto packets = EngineCodec::decodePayload(body);
    if (!packets) {
        writeError(answer, 400, EngineError::BadRequest, "Bad request", m_settings.corsOrigin);
        reportError(QStringLiteral("parse error"));
        return;
    }
    writeAnswer(answer, 200, "ok", "text/html", m_settings.corsOrigin);
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
    nav::http::PendingAnswer held = std::move(m_get);
    if (held.isOpen())
        writeAnswer(held, 200, body, kTextType, m_settings.corsOrigin);
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
    m_get = nav::http::PendingAnswer(); // a poll still held is dropped with its connection
    reportClosed(reason);
}

} // namespace nav::realtime
