#pragma once
// Engine.IO over HTTP long-polling: the client's GET is held until the session has packets for it, and its
// POSTs carry packets to the server. Both use bodies of packets joined by \x1e.
#include "server/realtime/EngineSettings.h"
#include "server/realtime/Transport.h"

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

class QHttpServerRequest;

namespace nav::realtime {

class PollingTransport final : public Transport {
    Q_OBJECT
public:
    PollingTransport(const EngineSettings &settings, QObject *parent = nullptr);
    ~PollingTransport() override;

    QString name() const override { return QStringLiteral("polling"); }
    bool writable() const override;
    void send(const QList<EnginePacket> &packets) override;
    void close() override;

    // A GET (poll) or POST (push) for this session. The responder may be held until there is data.
    void handleRequest(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // A GET (poll) alone.
    void handlePoll(QHttpServerResponder &&responder) { onPoll(std::move(responder)); }
    // After an upgrade: answer a waiting GET with a noop and stop (no further closed() or packets).
    void discard();

private:
    struct HeldGet {
        QHttpServerResponder responder;
        QPointer<QTcpSocket> socket;
        QMetaObject::Connection onDisconnect; // removed when the poll is answered (keep-alive sockets
                                              // carry many polls)
        ~HeldGet() { QObject::disconnect(onDisconnect); }
    };
    void onPoll(QHttpServerResponder &&responder);
    void onPush(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void answerGet(const QByteArray &body);
    void finish(const QString &reason);

    EngineSettings m_settings;
    std::unique_ptr<HeldGet> m_get;
    bool m_finished = false;
};

} // namespace nav::realtime
