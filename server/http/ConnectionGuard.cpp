#include "server/http/ConnectionGuard.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace nav::http {

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits)
    : QObject(socket), m_socket(socket), m_limits(limits) {
    setObjectName(QStringLiteral("nav-connection-guard"));
    m_idle.setSingleShot(true);
    m_idle.setInterval(static_cast<int>(qMin<qint64>(limits.idleTimeoutMs, 24LL * 3600 * 1000)));
    connect(&m_idle, &QTimer::timeout, this, &ConnectionGuard::onIdle);
    // Connected before QHttpServer's own readyRead slot (see GuardedTcpServer), so this runs first.
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] { m_idle.start(); });
    m_idle.start();
}

ConnectionGuard *ConnectionGuard::of(QObject *socket) {
    return socket ? socket->findChild<ConnectionGuard *>(QStringLiteral("nav-connection-guard"),
                                                         Qt::FindDirectChildrenOnly)
                  : nullptr;
}

void ConnectionGuard::responseSent() {
    m_inFlight = qMax(0, m_inFlight - 1);
    m_idle.start();
}

void ConnectionGuard::onIdle() {
    if (m_inFlight > 0) { // a handler is still working (a long download, say): keep the connection
        m_idle.start();
        return;
    }
    qCDebug(lcHttp) << "closing idle connection from" << m_socket->peerAddress().toString();
    m_socket->disconnectFromHost();
}

void ConnectionGuard::onReadyRead() {
    m_idle.start();
    if (m_rejected) {
        m_socket->readAll(); // drain so QHttpServer never sees the rest
        return;
    }
    const QByteArray chunk = m_socket->peek(m_socket->bytesAvailable());
    qsizetype pos = 0;
    while (pos < chunk.size() && !m_rejected) {
        if (m_bodyRemaining > 0) {
            const qint64 take = qMin<qint64>(m_bodyRemaining, chunk.size() - pos);
            m_bodyRemaining -= take;
            pos += take;
            continue;
        }
        const qsizetype before = m_headerBuffer.size();
        m_headerBuffer += chunk.mid(pos);
        // Stray CRLFs between requests are allowed by HTTP/1.1.
        qsizetype stripped = 0;
        while (m_headerBuffer.startsWith("\r\n")) {
            m_headerBuffer.remove(0, 2);
            stripped += 2;
        }
        const qsizetype end = m_headerBuffer.indexOf("\r\n\r\n");
        if (end > m_limits.maxHeaderBytes || (end < 0 && m_headerBuffer.size() > m_limits.maxHeaderBytes)) {
            reject(431, "Request Header Fields Too Large", "The request headers are too large");
            return;
        }
        if (end < 0)
            return; // the header block continues in the next packet
        const QByteArray block = m_headerBuffer.left(end);
        m_headerBuffer.clear();
        pos += end + 4 + stripped - before; // bytes of this chunk that belonged to the header block
        if (!inspectHeaders(block))
            return;
        ++m_inFlight;
    }
}

bool ConnectionGuard::inspectHeaders(const QByteArray &block) {
    qint64 contentLength = 0;
    bool expectContinue = false;
    const QList<QByteArray> lines = block.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            contentLength = value.toLongLong(&ok);
            if (!ok || contentLength < 0) {
                reject(400, "Bad Request", "Invalid Content-Length header");
                return false;
            }
        } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
            reject(411, "Length Required", "Chunked request bodies are not accepted; send a Content-Length");
            return false;
        } else if (name == "expect" && value.toLower() == "100-continue") {
            expectContinue = true;
        }
    }
    if (contentLength > m_limits.maxBodyBytes) {
        reject(413, "Payload Too Large",
               QByteArray("The request body is larger than the limit of ") +
                   QByteArray::number(m_limits.maxBodyBytes) + " bytes (MAX_BODY_SIZE)");
        return false;
    }
    if (expectContinue)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_bodyRemaining = contentLength;
    return true;
}

void ConnectionGuard::reject(int status, const QByteArray &reason, const QByteArray &message) {
    m_rejected = true;
    m_socket->readAll();
    const QByteArray body = QJsonDocument(QJsonObject{{"error", QString::fromUtf8(message)},
                                                      {"error_code", status == 413   ? "PAYLOAD_TOO_LARGE"
                                                                     : status == 431 ? "HEADERS_TOO_LARGE"
                                                                     : status == 411 ? "LENGTH_REQUIRED"
                                                                                     : "BAD_REQUEST"}})
                                .toJson(QJsonDocument::Compact);
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    response += "Content-Type: application/json\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    m_socket->write(response);
    qCWarning(lcHttp) << "rejected a request from" << m_socket->peerAddress().toString() << "with" << status;
    m_socket->disconnectFromHost();
}

} // namespace nav::http
