// Unit tests of the pure safety checks of the CivitAI area: remote file names, proxy paths (SSRF) and the
// model-type to folder mapping.
#include "server/civitai/CivitaiProxyUrl.h"
#include "server/civitai/ModelFolders.h"
#include "server/civitai/RemoteFileName.h"

#include <QtTest>

using namespace nav::civitai;

class TestModelSafety : public QObject {
    Q_OBJECT
private slots:
    void safeNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("safe");
        QTest::newRow("plain") << "model_v1.safetensors" << true;
        QTest::newRow("spaces and unicode") << "My Model (é) v2.safetensors" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("slash") << "Lora/x.safetensors" << false;
        QTest::newRow("backslash") << "..\\x.safetensors" << false;
        QTest::newRow("dotdot") << ".." << false;
        QTest::newRow("dotdot inside") << "a..b.safetensors" << false;
        QTest::newRow("traversal") << "../../etc/passwd" << false;
        QTest::newRow("absolute") << "/etc/passwd" << false;
        QTest::newRow("drive") << "C:evil.safetensors" << false;
        QTest::newRow("hidden") << ".bashrc" << false;
        QTest::newRow("newline") << "a\nb.safetensors" << false;
        QTest::newRow("nul") << QString("a") + QChar(0) + "b" << false;
        QTest::newRow("escape") << QString("a") + QChar(0x1b) + "[31m.safetensors" << false;
        QTest::newRow("c1 control") << QString("a") + QChar(0x85) + "b" << false;
        QTest::newRow("division slash") << QString("a") + QChar(0x2215) + "b" << false;
        QTest::newRow("trailing space") << "model.safetensors " << false;
        QTest::newRow("too long") << QString(256, 'a') << false;
        QTest::newRow("255 bytes") << QString(255, 'a') << true;
    }
    void safeNames() {
        QFETCH(QString, name);
        QFETCH(bool, safe);
        QCOMPARE(isSafeRemoteFileName(name), safe);
    }

    void proxyPaths_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("expected"); // empty: refused
        const QString b = "https://civitai.com/api/v1/";
        QTest::newRow("models") << "models"
                                << "query=cat&limit=25" << b + "models?query=cat&limit=25";
        QTest::newRow("model by id") << "models/12345"
                                     << "" << b + "models/12345";
        QTest::newRow("cursor query")
            << "models"
            << "cursor=abc%7C123&nsfw=false" << b + "models?cursor=abc%7C123&nsfw=false";
        QTest::newRow("encoded plain segment") << "model%2Dversions/1"
                                               << "" << b + "model-versions/1";
        QTest::newRow("empty") << ""
                               << ""
                               << "";
        QTest::newRow("dotdot") << "../../evil"
                                << ""
                                << "";
        QTest::newRow("dotdot at end") << "models/.."
                                       << ""
                                       << "";
        QTest::newRow("dot") << "./models"
                             << ""
                             << "";
        QTest::newRow("encoded dotdot") << "%2e%2e/%2e%2e/x"
                                        << ""
                                        << "";
        QTest::newRow("mixed encoded dotdot") << ".%2E/x"
                                              << ""
                                              << "";
        QTest::newRow("double encoded dotdot") << "%252e%252e/x"
                                               << ""
                                               << "";
        QTest::newRow("encoded slash") << "models%2F..%2F..%2Fx"
                                       << ""
                                       << "";
        QTest::newRow("backslash") << "models\\..\\x"
                                   << ""
                                   << "";
        QTest::newRow("encoded backslash") << "..%5C..%5Cx"
                                           << ""
                                           << "";
        QTest::newRow("double slash host") << "/evil.example/x"
                                           << ""
                                           << "";
        QTest::newRow("scheme") << "http:%2F%2Fevil.example"
                                << ""
                                << "";
        QTest::newRow("userinfo") << "@evil.example"
                                  << ""
                                  << "";
        QTest::newRow("encoded at") << "%40evil.example"
                                    << ""
                                    << "";
        QTest::newRow("empty segment") << "models//x"
                                       << ""
                                       << "";
        QTest::newRow("nul") << "models%00"
                             << ""
                             << "";
        QTest::newRow("question mark") << "models%3Fx=1"
                                       << ""
                                       << "";
        QTest::newRow("fragment in query") << "models"
                                           << "a=1#frag"
                                           << "";
    }
    void proxyPaths() {
        QFETCH(QString, path);
        QFETCH(QString, query);
        QFETCH(QString, expected);
        const auto url = civitaiProxyUrl(QUrl("https://civitai.com/api/v1"), path, query);
        if (expected.isEmpty()) {
            QVERIFY2(!url, qPrintable(url ? url->toString() : QString()));
        } else {
            QVERIFY(url);
            QCOMPARE(url->toString(QUrl::FullyEncoded), expected);
        }
    }

    void proxyKeepsCustomBase() {
        const auto url = civitaiProxyUrl(QUrl("http://127.0.0.1:9/api/v1/"), "models", "");
        QVERIFY(url);
        QCOMPARE(url->toString(), QStringLiteral("http://127.0.0.1:9/api/v1/models"));
    }

    void folders() {
        QCOMPARE(folderForModelType("Checkpoint").value_or(""), QStringLiteral("Stable-diffusion"));
        QCOMPARE(folderForModelType("LORA").value_or(""), QStringLiteral("Lora"));
        QCOMPARE(folderForModelType("LoCon").value_or(""), QStringLiteral("Lora"));
        QCOMPARE(folderForModelType("TextualInversion").value_or(""), QStringLiteral("embeddings"));
        QCOMPARE(folderForModelType("VAE").value_or(""), QStringLiteral("VAE"));
        QCOMPARE(folderForModelType("Hypernetwork").value_or(""), QStringLiteral("hypernetworks"));
        QCOMPARE(folderForModelType("Controlnet").value_or(""), QStringLiteral("ControlNet"));
        QVERIFY(!folderForModelType("Poses"));
        QVERIFY(!folderForModelType("AestheticGradient"));
        QVERIFY(!folderForModelType("Workflows"));
        QVERIFY(!folderForModelType(""));
    }
};

QTEST_APPLESS_MAIN(TestModelSafety)
#include "tst_modelsafety.moc"
