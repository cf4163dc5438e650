#pragma once
// Engine.IO over HTTP long-polling: the client's GET is held until the session has packets for it, and its
// POSTs carry packets to the server. Both use bodies of packets joined by \x1e.
#include "server/http/RawHttpConnection.h"
#include "server/http/RequestReader.h"
#include "server/realtime/EngineSettings.h"
#include "server/realtime/Transport.h"

namespace nav::realtime {

class PollingTransport final : public Transport, private nav::http::PendingAnswer::Listener {
    Q_OBJECT
public:
    PollingTransport(const EngineSettings &settings, QObject *parent = nullptr);
    ~PollingTransport() override;

    QString name() const override { return QStringLiteral("polling"); }
    bool writable() const override;
    void send(const QList<EnginePacket> &packets) override;
    void close() override;

    // A GET (poll) or POST (push) for this session. A poll's answer is held until there is data.
    void handleRequest(const nav::http::HttpRequest &request, nav::http::PendingAnswer &&answer);
    // A GET (poll) alone.
    void handlePoll(nav::http::PendingAnswer &&answer) { onPoll(std::move(answer)); }
    // After an upgrade: answer a waiting GET with a noop and stop (no further closed() or packets).
    void discard();

private:
    void answerLost() override; // the client went away during a held poll
    void onPoll(nav::http::PendingAnswer &&answer);
    void onPush(const nav::http::HttpRequest &request, nav::http::PendingAnswer &&answer);
    void answerGet(const QByteArray &body);
    void finish(const QString &reason);

    EngineSettings m_settings;
    nav::http::PendingAnswer m_get; // the held poll
    bool m_finished = false;
};

} // namespace nav::realtime
