#include "server/realtime/HttpAnswer.h"

#include "server/http/RawHttpConnection.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace nav::realtime {

void writeAnswer(nav::http::PendingAnswer &answer, int status, const QByteArray &body,
                 const QByteArray &contentType, const QByteArray &corsOrigin) {
    answer.write(status,
                 "Content-Type: " + contentType + "\r\nAccess-Control-Allow-Origin: " + corsOrigin +
                     "\r\nCache-Control: no-store\r\n",
                 body);
}

void writeError(nav::http::PendingAnswer &answer, int status, int code, const QByteArray &message,
                const QByteArray &corsOrigin) {
    const QByteArray body =
        QJsonDocument(QJsonObject{{"code", code}, {"message", QString::fromUtf8(message)}})
            .toJson(QJsonDocument::Compact);
    writeAnswer(answer, status, body, "application/json", corsOrigin);
}

} // namespace nav::realtime
