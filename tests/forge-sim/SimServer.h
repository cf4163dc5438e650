#pragma once
// HTTP front of forge-sim: routes Forge's API and the /sim control endpoints; generation requests are held
// open (responder style) until the GenerationQueue answers them.
#include "GenerationQueue.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>
#include <QPointer>
#include <QTcpServer>

namespace forgesim {

struct FaultConfig {
    int failNext = 0, failStatus = 500, dropNext = 0, delayMs = 0;
};

class SimServer : public QObject {
    Q_OBJECT
public:
    SimServer(const SimConfig &config, const FaultConfig &faults, QObject *parent = nullptr);
    bool listen(const QHostAddress &host, quint16 port);
    quint16 port() const { return m_port; }
    // Like Forge's --api-auth user:pass: /sdapi/v1/* answers 401 without these Basic credentials.
    void setApiAuth(const QString &userColonPass) { m_apiAuth = userColonPass.toUtf8(); }

private:
    struct Held;
    void handle(const QHttpServerRequest &req, QHttpServerResponder &&responder);
    void route(const std::shared_ptr<Held> &h, const QByteArray &method, const QString &path,
               const QUrlQuery &query, const QByteArray &body);
    void send(const std::shared_ptr<Held> &h, int status, const QByteArray &json);
    void refuse(int ms);
    QJsonObject faultsJson() const;

    GenerationQueue m_queue;
    QByteArray m_apiAuth;
    QHttpServer m_http;
    QTcpServer *m_tcp = nullptr;
    QHostAddress m_host;
    quint16 m_port = 0;
    int m_delayMs = 0;
};

} // namespace forgesim
