// The /3papi CivitAI endpoints against navigator and a fake CivitAI in this process: key check,
// downloads_enabled, downloads (success with checksum, mismatch, cut connection, low disk, hostile names,
// duplicates, the concurrency limit, roles) and the API proxy (relaying, limits and SSRF attempts).
#include "shared/realtime/SocketIoClient.h"
#include "tests/models/FakeCivitai.h"
#include "tests/support/TestUsers.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QStorageInfo>
#include <QTcpSocket>
#include <QtTest>

using namespace nav::test;

namespace {

const QString kArtificer = QStringLiteral("200000000000000002");
const QString kApprentice = QStringLiteral("100000000000000001");

QByteArray pattern(int size, char seed) {
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 31 + seed) & 0xff);
    return bytes;
}

} // namespace

class TestCivitaiApi : public QObject {
    Q_OBJECT
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FakeCivitai> m_civitai;
    std::unique_ptr<QTemporaryDir> m_models;
    std::unique_ptr<NavigatorInstance> m_nav;

    void startNavigator(QHash<QString, QString> env = {}) {
        m_nav.reset();
        env.insert("CIVITAI_API_BASE", m_civitai->base().toString());
        if (!env.contains("CIVITAI_API_KEY"))
            env.insert("CIVITAI_API_KEY", m_civitai->validKey);
        if (!env.contains("MODEL_DIR"))
            env.insert("MODEL_DIR", m_models->path());
        m_nav = std::make_unique<NavigatorInstance>(*m_db, env);
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
        QVERIFY(seedUser(*m_db, kArtificer, 2));
        QVERIFY(seedUser(*m_db, kApprentice, 1));
    }

    QHash<QByteArray, QByteArray> as(const QString &user, int role) const {
        return {{"Authorization", bearerToken(m_nav->secretKey(), user, role)}};
    }
    HttpReply get(const QString &path, const QHash<QByteArray, QByteArray> &headers, int timeoutMs = 30000) {
        return http("GET", m_nav->url(path), {}, headers, timeoutMs);
    }
    HttpReply download(int versionId) {
        return get(QStringLiteral("/3papi/civitai/download/%1").arg(versionId), as(kArtificer, 2));
    }
    QStringList entries(const QString &folder) const {
        return QDir(m_models->filePath(folder)).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    }

    // Sends one request line as is (no client-side URL normalisation) and returns the status code.
    int rawStatus(const QByteArray &target, QByteArray *body = nullptr) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_nav->httpPort());
        if (!socket.waitForConnected(5000))
            return 0;
        socket.write("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                     as(kApprentice, 1).value("Authorization") + "\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        auto complete = [&] {
            answer += socket.readAll();
            const int end = answer.indexOf("\r\n\r\n");
            if (end < 0)
                return socket.state() == QAbstractSocket::UnconnectedState;
            const QByteArray headers = answer.left(end).toLower();
            const int at = headers.indexOf("content-length:");
            const int length =
                at < 0 ? 0 : headers.mid(at + 15, headers.indexOf('\r', at) - at - 15).trimmed().toInt();
            return answer.size() - end - 4 >= length;
        };
        QTest::qWaitFor(complete, 15000);
        if (body)
            *body = answer.mid(answer.indexOf("\r\n\r\n") + 4);
        return answer.mid(9, 3).toInt();
    }

    bool civitaiSawOnlyTheApi() const {
        for (const auto &seen : m_civitai->seen)
            if (!seen.path.startsWith("/api/v1/") && !seen.path.startsWith("/files/"))
                return false;
        return true;
    }

private slots:
    void init() {
        m_db = std::make_unique<TestDatabase>();
        m_civitai = std::make_unique<FakeCivitai>();
        QVERIFY(m_civitai->listen());
        m_models = std::make_unique<QTemporaryDir>();
        startNavigator();
    }
    void cleanup() {
        m_nav.reset();
        m_civitai.reset();
        m_models.reset();
        m_db.reset();
    }

    void testCivitaiReportsTheKeyCheck() {
        const HttpReply ok = get("/3papi/test_civitai", {});
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json(), QJsonObject({{"isAuthenticated", true}}));
        startNavigator({{"CIVITAI_API_KEY", "wrong-key"}});
        const HttpReply bad = get("/3papi/test_civitai", {});
        QCOMPARE(bad.json(), QJsonObject({{"isAuthenticated", false}}));
        QVERIFY(!bad.body.contains("wrong-key"));
    }

    void downloadsEnabled() {
        QCOMPARE(get("/3papi/civitai/downloads_enabled", {}).status, 401);
        const HttpReply on = get("/3papi/civitai/downloads_enabled", as(kApprentice, 1));
        QCOMPARE(on.status, 200);
        QCOMPARE(on.json(), QJsonObject({{"downloadsEnabled", true}}));

        startNavigator({{"CIVITAI_API_KEY", "wrong-key"}});
        const HttpReply badKey = get("/3papi/civitai/downloads_enabled", as(kApprentice, 1));
        QCOMPARE(badKey.json().value("downloadsEnabled"), QJsonValue(false));
        QVERIFY(badKey.json().value("message").isString());

        startNavigator({{"MODEL_DIR", ""}});
        const HttpReply noDir = get("/3papi/civitai/downloads_enabled", as(kApprentice, 1));
        QCOMPARE(noDir.json().value("downloadsEnabled"), QJsonValue(false));
        QCOMPARE(noDir.json().value("message").toString(), QStringLiteral("Model directory not set"));
    }

    void downloadSucceedsWithVerifiedChecksum() {
        const QByteArray content = pattern(2 * 1024 * 1024 + 3, 7);
        m_civitai->addVersion(501, "LORA", "detail_tweaker.safetensors", content);
        const HttpReply reply = download(501);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json(), QJsonObject({{"message", "Model downloaded"}}));
        QFile file(m_models->filePath("Lora/detail_tweaker.safetensors"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll() == content);
        QCOMPARE(entries("Lora"), QStringList{"detail_tweaker.safetensors"});

        const HttpReply again = download(501);
        QCOMPARE(again.status, 400);
        QCOMPARE(again.json().value("error").toString(), QStringLiteral("Model already downloaded"));
        QVERIFY(!reply.body.contains(m_civitai->validKey.toUtf8()));
    }

    void downloadEventsReachSocketIoClients() {
        nav::realtime::SocketIoClient client;
        client.setUrl(m_nav->rtUrl());
        QList<QPair<QString, QJsonObject>> events;
        connect(&client, &nav::realtime::SocketIoClient::event, this,
                [&](const QString &name, const QJsonArray &args) {
                    events.append({name, args.first().toObject()});
                });
        client.open();
        QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 15000);
        const QByteArray content = pattern(1024 * 1024, 9);
        m_civitai->addVersion(520, "Checkpoint", "evented.safetensors", content);
        QCOMPARE(download(520).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty() && events.last().first == "models-refreshed", 15000);
        QVERIFY(events.last().second.value("message").isString());
        QJsonObject lastProgress;
        for (const auto &event : events)
            if (event.first == "model-download-progress")
                lastProgress = event.second;
        QCOMPARE(lastProgress.value("bytes").toDouble(), double(content.size()));
        QCOMPARE(lastProgress.value("total").toDouble(), double(content.size()));
        QCOMPARE(lastProgress.value("modelVersionId").toDouble(), 520.0);
        QCOMPARE(lastProgress.value("file").toString(), QStringLiteral("evented.safetensors"));
        client.close();
    }

    void downloadsRefuseInternalAddresses_data() {
        QTest::addColumn<QString>("host");
        // Loopback in its many spellings, private and link-local; the fake's origin is the trusted base.
        for (const char *host : {"127.0.0.2", "2130706433", "0x7f.1", "[::1]", "[::ffff:127.0.0.1]",
                                 "localhost", "10.1.2.3", "169.254.169.254", "[fd00::1]"})
            QTest::newRow(host) << QString::fromLatin1(host);
    }
    void downloadsRefuseInternalAddresses() {
        QFETCH(QString, host);
        static int nextId = 600;
        const int id = nextId++;
        const QString name = QStringLiteral("ssrf%1.safetensors").arg(id);
        QJsonObject version = m_civitai->addVersion(id, "Checkpoint", name, pattern(1000, 3));
        // Another port than the fake's own origin (an internal service); QUrl writes 2130706433 and 0x7f.1 as
        // 127.0.0.1, which on the fake's own port would be the trusted origin itself.
        const QString internal =
            QStringLiteral("http://%1:%2/files/%3").arg(host).arg(m_civitai->base().port() + 1).arg(name);
        QJsonArray files = version.value("files").toArray();
        QJsonObject primary = files.at(1).toObject();
        primary.insert("downloadUrl", internal);
        files.replace(1, primary);
        version.insert("files", files);
        version.insert("downloadUrl", internal);
        m_civitai->versionsById.insert(QString::number(id), version);
        const HttpReply direct = download(id);
        QCOMPARE(direct.status, 502);
        QCOMPARE(direct.json().value("error_code").toString(), QStringLiteral("UNSAFE_URL"));

        // The same address reached through a redirect from the trusted origin is refused too.
        const int viaRedirect = id + 1000;
        const QString redirected = QStringLiteral("r%1.safetensors").arg(viaRedirect);
        m_civitai->addVersion(viaRedirect, "Checkpoint", redirected, pattern(1000, 4));
        m_civitai->redirects.insert(redirected, internal);
        const HttpReply hop = download(viaRedirect);
        QCOMPARE(hop.status, 502);
        QCOMPARE(hop.json().value("error_code").toString(), QStringLiteral("UNSAFE_URL"));
        QCOMPARE(entries("Stable-diffusion"), QStringList());
    }

    void redirectWithinTheOriginIsFollowed() {
        const QByteArray content = pattern(5000, 5);
        m_civitai->addVersion(590, "Checkpoint", "moved.safetensors", content);
        m_civitai->files.insert("storage.bin", m_civitai->files.value("moved.safetensors"));
        m_civitai->redirects.insert("moved.safetensors", m_civitai->fileUrl("storage.bin"));
        QCOMPARE(download(590).status, 200);
        QCOMPARE(entries("Stable-diffusion"), QStringList{"moved.safetensors"});
    }

    void downloadFailuresLeaveNoFile() {
        m_civitai->addVersion(502, "Checkpoint", "tampered.safetensors", pattern(300'000, 1));
        m_civitai->files["tampered.safetensors"].content[10] ^= 1;
        const HttpReply mismatch = download(502);
        QCOMPARE(mismatch.status, 502);
        QCOMPARE(mismatch.json().value("error_code").toString(), QStringLiteral("CHECKSUM_MISMATCH"));

        m_civitai->addVersion(503, "Checkpoint", "cut.safetensors", pattern(400'000, 2),
                              FakeCivitai::File::Cut);
        const HttpReply cut = download(503);
        QCOMPARE(cut.status, 502);
        QCOMPARE(cut.json().value("error_code").toString(), QStringLiteral("DOWNLOAD_INCOMPLETE"));
        QCOMPARE(entries("Stable-diffusion"), QStringList());
    }

    void downloadChecksAndErrors() {
        QCOMPARE(get("/3papi/civitai/download/501", {}).status, 401);
        QCOMPARE(get("/3papi/civitai/download/501", as(kApprentice, 1)).status, 403);
        const HttpReply badId = download(0);
        QCOMPARE(badId.status, 400);
        QCOMPARE(get("/3papi/civitai/download/abc", as(kArtificer, 2)).status, 400);
        const HttpReply unknown = download(9999);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.json().value("error_code").toString(), QStringLiteral("MODEL_NOT_FOUND"));
        m_civitai->addVersion(504, "Poses", "poses.zip", pattern(100, 3));
        const HttpReply unsupported = download(504);
        QCOMPARE(unsupported.status, 400);
        QCOMPARE(unsupported.json().value("error").toString(), QStringLiteral("Unsupported model type"));
        m_civitai->addVersion(505, "LORA", "../../../escape.safetensors", pattern(100, 4));
        const HttpReply hostile = download(505);
        QCOMPARE(hostile.status, 502);
        QCOMPARE(hostile.json().value("error_code").toString(), QStringLiteral("UNSAFE_FILE_NAME"));
        QVERIFY(QDir(m_models->path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
    }

    // MIN_FREE_SPACE_PERCENT above what the model folder's disk really has free: refused before downloading.
    void lowDiskIsRefused() {
        const QStorageInfo disk(m_models->path());
        QVERIFY(disk.isValid() && disk.bytesTotal() > 0);
        const int freePercent = static_cast<int>(disk.bytesAvailable() * 100 / disk.bytesTotal());
        QVERIFY2(freePercent <= 94,
                 "the model folder's disk is almost empty: no minimum above it can be set");
        startNavigator({{"MIN_FREE_SPACE_PERCENT", QString::number(freePercent + 5)}});
        m_civitai->addVersion(506, "LORA", "big.safetensors", pattern(1000, 5));
        const HttpReply reply = download(506);
        QCOMPARE(reply.status, 500);
        QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("LOW_STORAGE_SPACE"));
        QCOMPARE(entries("Lora"), QStringList());
    }

    void concurrencyLimitDuplicatesAndAFreeEventLoop() {
        startNavigator({{"MAX_CONCURRENT_DOWNLOADS", "2"}});
        m_civitai->addVersion(510, "LORA", "a.safetensors", pattern(500'000, 6), FakeCivitai::File::Hold);
        m_civitai->addVersion(511, "LORA", "b.safetensors", pattern(500'000, 7), FakeCivitai::File::Hold);
        m_civitai->addVersion(512, "LORA", "c.safetensors", pattern(1000, 8));
        QNetworkAccessManager network;
        auto startAsync = [&](int id) {
            QNetworkRequest request(m_nav->url(QStringLiteral("/3papi/civitai/download/%1").arg(id)));
            request.setRawHeader("Authorization", as(kArtificer, 2).value("Authorization"));
            request.setTransferTimeout(60000);
            return network.get(request);
        };
        QNetworkReply *first = startAsync(510);
        QTRY_COMPARE_WITH_TIMEOUT(m_civitai->heldCount(), 1, 20000);
        QCOMPARE(download(510).status, 409);
        QNetworkReply *second = startAsync(511);
        QTRY_COMPARE_WITH_TIMEOUT(m_civitai->heldCount(), 2, 20000);
        const HttpReply third = download(512);
        QCOMPARE(third.status, 429);
        QCOMPARE(third.json().value("error_code").toString(), QStringLiteral("TOO_MANY_DOWNLOADS"));
        // The server keeps answering while the downloads wait.
        QCOMPARE(get("/api/config/limits", {}).status, 200);
        QVERIFY(!first->isFinished() && !second->isFinished());
        m_civitai->releaseHeld();
        QTRY_VERIFY_WITH_TIMEOUT(first->isFinished() && second->isFinished(), 30000);
        QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(second->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(download(512).status, 200);
        QCOMPARE(entries("Lora"), (QStringList{"a.safetensors", "b.safetensors", "c.safetensors"}));
    }

    void proxyRelaysWithTheKey() {
        QCOMPARE(get("/3papi/civitai/api-proxy/models", {}).status, 401);
        const HttpReply reply =
            get("/3papi/civitai/api-proxy/models?query=cat%20girl&types=LORA&nsfw=false&limit=25",
                as(kApprentice, 1));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("content-type").startsWith("application/json"));
        QCOMPARE(reply.json().value("path").toString(), QStringLiteral("/api/v1/models"));
        QCOMPARE(reply.json().value("query").toString(),
                 QStringLiteral("query=cat%20girl&types=LORA&nsfw=false&limit=25"));
        QCOMPARE(reply.json().value("authorized"), QJsonValue(true));
        QVERIFY(!reply.body.contains(m_civitai->validKey.toUtf8()));

        const HttpReply byId = get("/3papi/civitai/api-proxy/models/12345", as(kApprentice, 1));
        QCOMPARE(byId.json().value("path").toString(), QStringLiteral("/api/v1/models/12345"));
        const HttpReply teapot = get("/3papi/civitai/api-proxy/teapot", as(kApprentice, 1));
        QCOMPARE(teapot.status, 418);
        QCOMPARE(teapot.json().value("error").toString(), QStringLiteral("teapot"));
        QCOMPARE(http("POST", m_nav->url("/3papi/civitai/api-proxy/models"), "{}", as(kApprentice, 1)).status,
                 405);
    }

    void proxyLimits() {
        // The size limit with a generous timeout (a loaded machine may take over a second for 1 MB), then the
        // timeout on its own.
        startNavigator({{"CIVITAI_PROXY_MAX_BYTES", "1mb"}, {"CIVITAI_TIMEOUT", "60s"}});
        const HttpReply huge = get("/3papi/civitai/api-proxy/huge", as(kApprentice, 1));
        QCOMPARE(huge.status, 502);
        QCOMPARE(huge.json().value("error_code").toString(), QStringLiteral("CIVITAI_TOO_LARGE"));
        startNavigator({{"CIVITAI_PROXY_MAX_BYTES", "1mb"}, {"CIVITAI_TIMEOUT", "1s"}});
        const HttpReply stalled = get("/3papi/civitai/api-proxy/stall", as(kApprentice, 1));
        QCOMPARE(stalled.status, 504);
        QCOMPARE(stalled.json().value("error_code").toString(), QStringLiteral("CIVITAI_TIMEOUT"));
    }

    void proxyRefusesSsrfAttempts_data() {
        QTest::addColumn<QByteArray>("target");
        const QByteArray p = "/3papi/civitai/api-proxy/";
        QTest::newRow("dotdot") << p + "../../files/x";
        QTest::newRow("encoded dotdot") << p + "%2e%2e/%2e%2e/files/x";
        QTest::newRow("encoded slash") << p + "models%2F..%2F..%2F..%2Ffiles%2Fx";
        QTest::newRow("double encoded") << p + "%252e%252e/%252e%252e/files/x";
        QTest::newRow("backslash") << p + "..%5C..%5Cfiles";
        QTest::newRow("other host") << p + "/evil.example/x";
        QTest::newRow("scheme") << p + "http:%2F%2Fevil.example%2Fx";
        QTest::newRow("userinfo") << p + "@evil.example/x";
        QTest::newRow("encoded userinfo") << p + "%40evil.example";
        QTest::newRow("nul") << p + "models%00";
        QTest::newRow("empty") << p;
    }
    void proxyRefusesSsrfAttempts() {
        QFETCH(QByteArray, target);
        QByteArray body;
        const int status = rawStatus(target, &body);
        QVERIFY2(status == 400, qPrintable(QString::number(status) + " " + body));
        QVERIFY2(civitaiSawOnlyTheApi(), target.constData());
        for (const auto &seen : m_civitai->seen)
            QVERIFY2(!seen.path.startsWith("/files/"), seen.path.constData());
    }
};

QTEST_GUILESS_MAIN(TestCivitaiApi)
#include "tst_civitaiapi.moc"
