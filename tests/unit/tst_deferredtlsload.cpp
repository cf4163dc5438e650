// DeferredTlsLoad: the HTTP servers are built without loading OpenSSL, no TLS warning is printed, and an
// outgoing HTTPS call afterwards still works (it loads the backend on first use).
#include "server/http/DeferredTlsLoad.h"
#include "server/http/HttpServer.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

namespace {

bool mapped(const char *library) {
    QFile maps(QStringLiteral("/proc/self/maps"));
    return maps.open(QIODevice::ReadOnly) && maps.readAll().contains(library);
}

QStringList g_sslWarnings;
QtMessageHandler g_previousHandler = nullptr;

void recordSslWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message) {
    if (context.category && QByteArray(context.category) == "qt.network.ssl")
        g_sslWarnings.append(message);
    g_previousHandler(type, context, message);
}

QByteArray testData(const char *name) {
    QFile file(QStringLiteral(NAVIGATOR_TEST_DATA "/") + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TstDeferredTlsLoad : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        g_previousHandler = qInstallMessageHandler(recordSslWarnings);
        QVERIFY2(!mapped("libssl.so"), "OpenSSL is loaded before the test starts: nothing to check");
    }

    void serversAreBuiltWithoutOpenSsl() {
        const QStringList paths = QCoreApplication::libraryPaths();
        {
            const nav::http::DeferredTlsLoad deferred;
            nav::http::HttpServer server{nav::http::ConnectionLimits{}};
            QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        }
        QVERIFY(!mapped("libssl.so"));
        QVERIFY(!mapped("libcrypto.so"));
        QVERIFY2(g_sslWarnings.isEmpty(), qPrintable(g_sslWarnings.join('\n')));
        QCOMPARE(QCoreApplication::libraryPaths(), paths);
    }

    void httpsWorksAfterwards() {
        QVERIFY(QSslSocket::supportsSsl());
        QCOMPARE(QSslSocket::activeBackend(), QStringLiteral("openssl"));
        QVERIFY(mapped("libssl.so"));

        QSslServer server;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(testData("loopback-tls.crt")));
        tls.setPrivateKey(QSslKey(testData("loopback-tls.key"), QSsl::Rsa));
        QVERIFY(!tls.localCertificate().isNull());
        QVERIFY(!tls.privateKey().isNull());
        server.setSslConfiguration(tls);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [&server] {
            QTcpSocket *socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                if (socket->readAll().contains("\r\n\r\n"))
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            });
        });

        QNetworkAccessManager network;
        QNetworkReply *reply = network.get(
            QNetworkRequest(QUrl(QStringLiteral("https://127.0.0.1:%1/").arg(server.serverPort()))));
        connect(reply, &QNetworkReply::sslErrors, reply, [reply] { reply->ignoreSslErrors(); });
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(20000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), QByteArray("ok"));
        reply->deleteLater();
    }
};

QTEST_MAIN(TstDeferredTlsLoad)
#include "tst_deferredtlsload.moc"
