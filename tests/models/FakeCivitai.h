#pragma once
// A fake CivitAI for tests, in the test process: a tiny HTTP/1.1 server (one request per connection) that
// serves /api/v1/... from canned JSON and model files with scripted failures (cut connections, held
// transfers). It records every request so tests can check what Navigator sent.
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace nav::test {

class FakeCivitai : public QObject {
    Q_OBJECT
public:
    struct File {
        QByteArray content;
        enum Mode { Full, Cut, Hold } mode = Full;
        qint64 cutAfter = 0; // Cut: bytes sent before the connection is closed
    };
    struct Seen {
        QByteArray path; // as sent, percent-encoded, with the query
        QHash<QByteArray, QByteArray> headers;
    };

    explicit FakeCivitai(QObject *parent = nullptr);
    bool listen();
    QUrl base() const; // http://127.0.0.1:<port>/api/v1
    QString fileUrl(const QString &name) const;

    QString validKey = QStringLiteral("test-civitai-key");
    QHash<QString, QJsonObject> versionsById;   // model-versions/<id>
    QHash<QString, QJsonObject> versionsByHash; // model-versions/by-hash/<hash> (upper- or lower-case)
    QHash<QString, File> files;                 // /files/<name>
    QHash<QString, QString> redirects;          // /files/<name> answered 302 to this Location
    QList<Seen> seen;

    // A model version whose primary file is served at /files/<fileName> with the right SHA-256.
    QJsonObject addVersion(int id, const QString &type, const QString &fileName, const QByteArray &content,
                           File::Mode mode = File::Full);
    int heldCount() const { return m_held.size(); }
    void releaseHeld(); // sends the rest of every held transfer

private:
    void onConnection();
    void handle(QTcpSocket *socket, const QByteArray &method, const QByteArray &target,
                const QHash<QByteArray, QByteArray> &headers);
    void sendJson(QTcpSocket *socket, int status, const QJsonObject &body);
    void sendFile(QTcpSocket *socket, const File &file);

    QTcpServer m_server;
    struct Held {
        QPointer<QTcpSocket> socket;
        QByteArray rest;
    };
    QList<Held> m_held;
};

} // namespace nav::test
