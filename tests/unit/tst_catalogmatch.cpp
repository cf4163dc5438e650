// Request names checked against Forge's lists: the hires upscaler (the requested one when Forge has it, else
// 4x_NMKD-Siax_200k, RealESRGAN_x4, R-ESRGAN 4x+, then the first real one, never a name Forge lacks) and the
// checkpoint (title, model_name, hash or file name).
#include "server/forge/CatalogMatch.h"

#include <QJsonObject>
#include <QtTest>

using nav::forge::isKnownCheckpoint;
using nav::forge::resolveUpscaler;

namespace {

QJsonArray upscalers(const QStringList &names) {
    QJsonArray list;
    for (const QString &name : names)
        list.append(QJsonObject{{"name", name}, {"model_name", QJsonValue()}, {"scale", 4.0}});
    return list;
}

const QStringList kStockForge = {
    "None",       "Lanczos",  "Nearest", "DAT x2", "ESRGAN_4x", "R-ESRGAN 4x+", "R-ESRGAN 4x+ Anime6B",
    "ScuNET GAN", "SwinIR 4x"};

} // namespace

class CatalogMatchTest : public QObject {
    Q_OBJECT
private slots:
    void upscalerOrder_data() {
        QTest::addColumn<QString>("requested");
        QTest::addColumn<QStringList>("listed");
        QTest::addColumn<QString>("expected");
        const QStringList all = QStringList{"4x_NMKD-Siax_200k", "RealESRGAN_x4"} + kStockForge;
        QTest::newRow("requested and listed") << "SwinIR 4x" << all << "SwinIR 4x";
        QTest::newRow("latent mode") << "Latent (bicubic)" << kStockForge << "Latent (bicubic)";
        QTest::newRow("none requested: Siax first") << "" << all << "4x_NMKD-Siax_200k";
        QTest::newRow("unknown requested: Siax first") << "Made Up 8x" << all << "4x_NMKD-Siax_200k";
        QTest::newRow("no Siax: RealESRGAN_x4")
            << "" << QStringList{"None", "Lanczos", "RealESRGAN_x4", "R-ESRGAN 4x+"} << "RealESRGAN_x4";
        QTest::newRow("stock Forge: R-ESRGAN 4x+") << "" << kStockForge << "R-ESRGAN 4x+";
        QTest::newRow("unknown on stock Forge") << "RealESRGAN_x4" << kStockForge << "R-ESRGAN 4x+";
        QTest::newRow("none of them: first real one")
            << "" << QStringList{"None", "SwinIR 4x", "Lanczos"} << "SwinIR 4x";
        QTest::newRow("only None") << "" << QStringList{"None"} << "Latent";
        QTest::newRow("empty list") << "R-ESRGAN 4x+" << QStringList{} << "Latent";
        QTest::newRow("None is not an upscaler to ask for")
            << "None" << QStringList{"None", "Lanczos"} << "None";
        QTest::newRow("names are exact") << "r-esrgan 4x+" << kStockForge << "R-ESRGAN 4x+";
    }
    void upscalerOrder() {
        QFETCH(QString, requested);
        QFETCH(QStringList, listed);
        QFETCH(QString, expected);
        QCOMPARE(resolveUpscaler(requested, upscalers(listed)), expected);
    }

    void checkpoints() {
        const QJsonArray list{
            QJsonObject{{"title", "sd_xl_base_1.0.safetensors [31e35c80fc]"},
                        {"model_name", "sd_xl_base_1.0"},
                        {"hash", "31e35c80fc"}},
            QJsonObject{{"title", "flux/flux1-dev-bnb-nf4-v2.safetensors"},
                        {"model_name", "flux_flux1-dev-bnb-nf4-v2"},
                        {"hash", QJsonValue()}},
        };
        for (const char *known : {"sd_xl_base_1.0", "sd_xl_base_1.0.safetensors [31e35c80fc]", "31e35c80fc",
                                  "sd_xl_base_1.0.safetensors", "flux_flux1-dev-bnb-nf4-v2",
                                  "flux/flux1-dev-bnb-nf4-v2.safetensors"})
            QVERIFY2(isKnownCheckpoint(QString::fromLatin1(known), list), known);
        for (const char *unknown : {"", "sd_xl_base", "SD_XL_BASE_1.0", "31e35c80", "flux1-dev-bnb-nf4-v2",
                                    "sd_xl_base_1.0.safetensors [ffffffffff]"})
            QVERIFY2(!isKnownCheckpoint(QString::fromLatin1(unknown), list), unknown);
        QVERIFY(!isKnownCheckpoint(QStringLiteral("sd_xl_base_1.0"), QJsonArray{}));
    }
};

QTEST_APPLESS_MAIN(CatalogMatchTest)
#include "tst_catalogmatch.moc"
