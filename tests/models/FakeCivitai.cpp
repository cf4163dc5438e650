#include "tests/models/FakeCivitai.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrlQuery>

namespace nav::test {

FakeCivitai::FakeCivitai(QObject *parent) : QObject(parent) {
    connect(&m_server, &QTcpServer::newConnection, this, &FakeCivitai::onConnection);
}

bool FakeCivitai::listen() {
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeCivitai::base() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1/api/v1").arg(m_server.serverPort()));
}

QString FakeCivitai::fileUrl(const QString &name) const {
    return QStringLiteral("http://127.0.0.1:%1/files/%2")
        .arg(m_server.serverPort())
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(name)));
}

QJsonObject FakeCivitai::addVersion(int id, const QString &type, const QString &fileName,
                                    const QByteArray &content, File::Mode mode) {
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    files.insert(fileName, File{content, mode, content.size() / 2});
    const QJsonObject file{{"id", id * 10},
                           {"name", fileName},
                           {"primary", true},
                           {"type", "Model"},
                           {"sizeKB", content.size() / 1024.0},
                           {"hashes", QJsonObject{{"SHA256", sha.toUpper()}, {"AutoV2", sha.left(10)}}},
                           {"downloadUrl", fileUrl(fileName)}};
    const QJsonObject extra{{"id", id * 10 + 1},
                            {"name", "extra-config.yaml"},
                            {"type", "Config"},
                            {"downloadUrl", fileUrl("extra-config.yaml")}};
    QJsonObject version{{"id", id},
                        {"modelId", id + 1000},
                        {"name", QStringLiteral("v%1").arg(id)},
                        {"baseModel", "SDXL 1.0"},
                        {"description", QStringLiteral("<p>version %1</p>").arg(id)},
                        {"trainedWords", QJsonArray{"word1", "word2"}},
                        {"model", QJsonObject{{"name", QStringLiteral("Model %1").arg(id)},
                                              {"type", type},
                                              {"nsfw", false},
                                              {"description", "A model"}}},
                        {"files", QJsonArray{extra, file}},
                        {"images", QJsonArray{QJsonObject{{"url", "https://image.example/1.jpg"}},
                                              QJsonObject{{"url", "https://image.example/2.jpg"}}}},
                        {"downloadUrl", fileUrl(fileName)}};
    versionsById.insert(QString::number(id), version);
    return version;
}

void FakeCivitai::releaseHeld() {
    for (Held &held : m_held) {
        if (!held.socket)
            continue;
        held.socket->write(held.rest);
        held.socket->disconnectFromHost();
    }
    m_held.clear();
}

void FakeCivitai::onConnection() {
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            *buffer += socket->readAll();
            const int end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            buffer->clear();
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            QHash<QByteArray, QByteArray> headers;
            for (int i = 1; i < lines.size(); ++i) {
                const int colon = lines[i].indexOf(':');
                if (colon > 0)
                    headers.insert(lines[i].left(colon).trimmed().toLower(),
                                   lines[i].mid(colon + 1).trimmed());
            }
            handle(socket, requestLine.value(0), requestLine.value(1), headers);
        });
    }
}

void FakeCivitai::handle(QTcpSocket *socket, const QByteArray &method, const QByteArray &target,
                         const QHash<QByteArray, QByteArray> &headers) {
    seen.append(Seen{target, headers});
    const QUrl url(QString::fromLatin1(target));
    const QString path = url.path(QUrl::FullyEncoded);
    const bool authorized = headers.value("authorization") == "Bearer " + validKey.toUtf8();
    if (method != "GET")
        return sendJson(socket, 405, {{"error", "GET only"}});
    if (path.startsWith("/files/")) {
        const QString name = QUrl::fromPercentEncoding(path.mid(7).toUtf8());
        if (redirects.contains(name)) {
            socket->write("HTTP/1.1 302 Found\r\nLocation: " + redirects.value(name).toUtf8() +
                          "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        if (!files.contains(name))
            return sendJson(socket, 404, {{"error", "no such file"}});
        return sendFile(socket, files.value(name));
    }
    if (path == "/api/v1/models" && QUrlQuery(url).queryItemValue("hidden") == "1")
        return authorized ? sendJson(socket, 200, {{"items", QJsonArray()}})
                          : sendJson(socket, 401, {{"error", "Unauthorized"}});
    const QString byHash = QStringLiteral("/api/v1/model-versions/by-hash/");
    if (path.startsWith(byHash)) {
        const QString hash = path.mid(byHash.size());
        for (auto it = versionsByHash.begin(); it != versionsByHash.end(); ++it)
            if (it.key().compare(hash, Qt::CaseInsensitive) == 0)
                return sendJson(socket, 200, it.value());
        return sendJson(socket, 404, {{"error", "Model not found"}});
    }
    const QString byId = QStringLiteral("/api/v1/model-versions/");
    if (path.startsWith(byId)) {
        const QString id = path.mid(byId.size());
        if (!versionsById.contains(id))
            return sendJson(socket, 404, {{"error", "Model not found"}});
        return sendJson(socket, 200, versionsById.value(id));
    }
    if (path == "/api/v1/huge")
        return sendJson(socket, 200, {{"blob", QString(20'000'000, QLatin1Char('x'))}});
    if (path == "/api/v1/stall")
        return; // never answers; the connection stays open
    if (path == "/api/v1/teapot")
        return sendJson(socket, 418, {{"error", "teapot"}});
    if (path.startsWith("/api/v1/"))
        return sendJson(
            socket, 200,
            {{"path", path}, {"query", url.query(QUrl::FullyEncoded)}, {"authorized", authorized}});
    sendJson(socket, 404, {{"error", "outside the API"}, {"path", path}});
}

void FakeCivitai::sendJson(QTcpSocket *socket, int status, const QJsonObject &body) {
    const QByteArray bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
    socket->write(QByteArray("HTTP/1.1 ") + QByteArray::number(status) +
                  " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                  QByteArray::number(bytes.size()) + "\r\n\r\n" + bytes);
    socket->disconnectFromHost();
}

void FakeCivitai::sendFile(QTcpSocket *socket, const File &file) {
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"
                  "Content-Length: " +
                  QByteArray::number(file.content.size()) + "\r\n\r\n");
    if (file.mode == File::Full) {
        socket->write(file.content);
        socket->disconnectFromHost();
    } else if (file.mode == File::Cut) {
        socket->write(file.content.left(file.cutAfter));
        socket->disconnectFromHost();
    } else {
        const qint64 half = file.content.size() / 2;
        socket->write(file.content.left(half));
        m_held.append(Held{socket, file.content.mid(half)});
    }
}

} // namespace nav::test
