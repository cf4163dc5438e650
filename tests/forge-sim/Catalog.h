#pragma once
// Static listings a Forge install reports: checkpoints, samplers, schedulers, upscalers, modules, LoRAs,
// embeddings.
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace forgesim {

struct Model {
    QString name;   // model_name, e.g. sd_xl_base_1.0
    QString sha256; // derived from the name so it is stable between runs
    QString title() const { return name + ".safetensors [" + sha256.left(10) + "]"; }
    QString filename() const { return "/opt/forge/models/Stable-diffusion/" + name + ".safetensors"; }
    bool isFlux() const { return name.contains("flux", Qt::CaseInsensitive); }
};

class Catalog {
public:
    explicit Catalog(const QStringList &modelNames);

    const QList<Model> &models() const { return m_models; }
    // Looks a checkpoint up by model_name, title, file name, name with extension, short hash or sha256.
    const Model *findModel(const QString &alias) const;

    QJsonArray modelsJson() const;
    static QJsonArray samplersJson();
    static QJsonArray schedulersJson();
    static QJsonArray upscalersJson();
    static QJsonArray modulesJson();
    static QJsonArray lorasJson();
    static QJsonObject embeddingsJson();

    // Forge's name resolution (§4.4): unknown sampler -> "DPM++ 2M", unknown scheduler -> Automatic.
    static QString resolveSampler(const QString &requested, QString *legacyScheduler);
    // Returns the label that lands in the infotext ("Karras", "Automatic", ...).
    static QString resolveSchedulerLabel(const QString &requested, const QString &sampler);
    static bool isUpscaler(const QString &name);
    // The upscalers this Forge has (GET /upscalers, and what hr_upscaler accepts besides the latent modes).
    static QStringList defaultUpscalerNames();
    static void setUpscalerNames(const QStringList &names); // --upscalers
    static QString moduleFile(const QString &nameOrPath);   // empty when unknown

private:
    QList<Model> m_models;
};

} // namespace forgesim
