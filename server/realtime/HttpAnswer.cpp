#include "server/realtime/HttpAnswer.h"

#include "server/http/ConnectionGuard.h"

#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace nav::realtime {

void writeAnswer(QHttpServerResponder &responder, int status, const QByteArray &body,
                 const QByteArray &contentType, const QByteArray &corsOrigin) {
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
    responder.writeHeader("Content-Type", contentType);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeHeader("Access-Control-Allow-Origin", corsOrigin);
    responder.writeHeader("Cache-Control", "no-store");
    responder.writeBody(body);
    if (auto *guard = nav::http::ConnectionGuard::of(responder.socket()))
        guard->responseSent();
}

void writeError(QHttpServerResponder &responder, int status, int code, const QByteArray &message,
                const QByteArray &corsOrigin) {
    const QByteArray body =
        QJsonDocument(QJsonObject{{"code", code}, {"message", QString::fromUtf8(message)}})
            .toJson(QJsonDocument::Compact);
    writeAnswer(responder, status, body, "application/json", corsOrigin);
}

} // namespace nav::realtime
