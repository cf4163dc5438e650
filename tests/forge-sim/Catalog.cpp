#include "Catalog.h"

#include <QCryptographicHash>
#include <QFileInfo>

namespace forgesim {

namespace {

struct SamplerDef {
    const char *name;
    QStringList aliases;
    QJsonObject options;
};

const QList<SamplerDef> &samplers() {
    static const QList<SamplerDef> list = {
        {"DPM++ 2M", {"k_dpmpp_2m"}, {{"scheduler", "karras"}}},
        {"DPM++ SDE",
         {"k_dpmpp_sde"},
         {{"scheduler", "karras"}, {"second_order", true}, {"brownian_noise", true}}},
        {"DPM++ 2M SDE", {"k_dpmpp_2m_sde"}, {{"scheduler", "exponential"}, {"brownian_noise", true}}},
        {"DPM++ 2M SDE Heun",
         {"k_dpmpp_2m_sde_heun"},
         {{"scheduler", "exponential"}, {"brownian_noise", true}, {"solver_type", "heun"}}},
        {"DPM++ 2S a",
         {"k_dpmpp_2s_a"},
         {{"scheduler", "karras"}, {"uses_ensd", true}, {"second_order", true}}},
        {"DPM++ 3M SDE",
         {"k_dpmpp_3m_sde"},
         {{"scheduler", "exponential"}, {"discard_next_to_last_sigma", true}, {"brownian_noise", true}}},
        {"Euler a", {"k_euler_a", "k_euler_ancestral"}, {{"uses_ensd", true}}},
        {"Euler", {"k_euler"}, {}},
        {"LMS", {"k_lms"}, {}},
        {"Heun", {"k_heun"}, {{"second_order", true}}},
        {"DPM2",
         {"k_dpm_2"},
         {{"scheduler", "karras"}, {"discard_next_to_last_sigma", true}, {"second_order", true}}},
        {"DPM2 a",
         {"k_dpm_2_a"},
         {{"scheduler", "karras"},
          {"discard_next_to_last_sigma", true},
          {"second_order", true},
          {"uses_ensd", true}}},
        {"DPM fast", {"k_dpm_fast"}, {{"uses_ensd", true}}},
        {"DPM adaptive", {"k_dpm_ad"}, {{"uses_ensd", true}}},
        {"Restart", {"restart"}, {{"scheduler", "karras"}, {"second_order", true}}},
        {"HeunPP2", {"heunpp2"}, {}},
        {"IPNDM", {"ipndm"}, {}},
        {"IPNDM_V", {"ipndm_v"}, {}},
        {"DEIS", {"deis"}, {}},
        {"DDIM", {"ddim"}, {}},
        {"DDIM CFG++", {"ddim_cfgpp"}, {}},
        {"PLMS", {"plms"}, {}},
        {"UniPC", {"unipc"}, {}},
        {"LCM", {"k_lcm"}, {}},
        {"DDPM", {"ddpm"}, {}},
    };
    return list;
}

struct SchedulerDef {
    const char *name;
    const char *label;
    double rho;
    bool inner;
    const char *alias;
};

const QList<SchedulerDef> &schedulers() {
    static const QList<SchedulerDef> list = {
        {"automatic", "Automatic", -1, false, nullptr},
        {"uniform", "Uniform", -1, true, nullptr},
        {"karras", "Karras", 7.0, false, nullptr},
        {"exponential", "Exponential", -1, false, nullptr},
        {"polyexponential", "Polyexponential", 1.0, false, nullptr},
        {"sgm_uniform", "SGM Uniform", -1, true, "SGMUniform"},
        {"kl_optimal", "KL Optimal", -1, false, nullptr},
        {"align_your_steps", "Align Your Steps", -1, false, nullptr},
        {"simple", "Simple", -1, true, nullptr},
        {"normal", "Normal", -1, true, nullptr},
        {"ddim", "DDIM", -1, true, nullptr},
        {"beta", "Beta", -1, true, nullptr},
        {"turbo", "Turbo", -1, true, nullptr},
        {"align_your_steps_GITS", "Align Your Steps GITS", -1, false, nullptr},
        {"align_your_steps_11", "Align Your Steps 11", -1, false, nullptr},
        {"align_your_steps_32", "Align Your Steps 32", -1, false, nullptr},
    };
    return list;
}

QStringList &upscalerNames() {
    static QStringList names = Catalog::defaultUpscalerNames();
    return names;
}

const QStringList &moduleNames() {
    static const QStringList names = {"ae.safetensors", "clip_l.safetensors", "t5xxl_fp8_e4m3fn.safetensors"};
    return names;
}

QString modulePath(const QString &file) {
    return (file == "ae.safetensors" ? "/opt/forge/models/VAE/" : "/opt/forge/models/text_encoder/") + file;
}

} // namespace

Catalog::Catalog(const QStringList &modelNames) {
    for (const QString &name : modelNames) {
        const QByteArray digest =
            QCryptographicHash::hash("forge-sim:" + name.toUtf8(), QCryptographicHash::Sha256);
        m_models.append({name, QString::fromLatin1(digest.toHex())});
    }
}

const Model *Catalog::findModel(const QString &alias) const {
    if (alias.isEmpty())
        return nullptr;
    for (const Model &m : m_models) {
        if (alias == m.name || alias == m.title() || alias == m.filename() ||
            alias == m.name + ".safetensors" || alias == m.sha256.left(10) || alias == m.sha256)
            return &m;
    }
    return nullptr;
}

QJsonArray Catalog::modelsJson() const {
    QJsonArray out;
    for (const Model &m : m_models)
        out.append(QJsonObject{{"title", m.title()},
                               {"model_name", m.name},
                               {"hash", m.sha256.left(10)},
                               {"sha256", m.sha256},
                               {"filename", m.filename()},
                               {"config", QJsonValue::Null}});
    return out;
}

QJsonArray Catalog::samplersJson() {
    QJsonArray out;
    for (const SamplerDef &s : samplers())
        out.append(QJsonObject{
            {"name", s.name}, {"aliases", QJsonArray::fromStringList(s.aliases)}, {"options", s.options}});
    return out;
}

QJsonArray Catalog::schedulersJson() {
    QJsonArray out;
    for (const SchedulerDef &s : schedulers())
        out.append(
            QJsonObject{{"name", s.name},
                        {"label", s.label},
                        {"aliases", s.alias ? QJsonValue(QJsonArray{s.alias}) : QJsonValue(QJsonValue::Null)},
                        {"default_rho", s.rho},
                        {"need_inner_model", s.inner}});
    return out;
}

QJsonArray Catalog::upscalersJson() {
    QJsonArray out;
    for (const QString &name : upscalerNames()) {
        QJsonObject o{{"name", name},
                      {"model_name", QJsonValue::Null},
                      {"model_path", QJsonValue::Null},
                      {"model_url", QJsonValue::Null},
                      {"scale", 4.0}};
        if (name == "4x_NMKD-Siax_200k") {
            o["model_name"] = "ESRGAN_4x";
            o["model_path"] = "/opt/forge/models/ESRGAN/4x_NMKD-Siax_200k.pth";
        } else if (name.startsWith("R-ESRGAN")) {
            o["model_path"] =
                "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth";
        }
        if (name == "DAT x2")
            o["scale"] = 2.0;
        out.append(o);
    }
    return out;
}

QJsonArray Catalog::modulesJson() {
    QJsonArray out;
    for (const QString &file : moduleNames())
        out.append(QJsonObject{{"model_name", file}, {"filename", modulePath(file)}});
    return out;
}

QJsonArray Catalog::lorasJson() {
    return QJsonArray{
        QJsonObject{{"name", "add_detail"},
                    {"alias", "add_detail"},
                    {"path", "/opt/forge/models/Lora/add_detail.safetensors"},
                    {"metadata",
                     QJsonObject{{"ss_output_name", "add_detail"},
                                 {"sshs_model_hash",
                                  "7c6bad76eb54d80e5ad1e1fb3b9c5ba9b3bd5f81c6a3e5d9e1d0e6b6b0d0b5a1"},
                                 {"ss_base_model_version", "sd_v1"},
                                 {"ss_tag_frequency", QJsonObject{{"img", QJsonObject{{"detailed", 12}}}}}}}},
        // A LoRA without safetensors metadata, in a sub-folder (Navigator hashes its file).
        QJsonObject{{"name", "my_style"},
                    {"alias", "my_style"},
                    {"path", "/opt/forge/models/Lora/styles/my_style.safetensors"},
                    {"metadata", QJsonObject{}}}};
}

QJsonObject Catalog::embeddingsJson() {
    return QJsonObject{
        {"loaded", QJsonObject{{"EasyNegative", QJsonObject{{"step", QJsonValue::Null},
                                                            {"sd_checkpoint", QJsonValue::Null},
                                                            {"sd_checkpoint_name", QJsonValue::Null},
                                                            {"shape", 768},
                                                            {"vectors", 8}}}}},
        {"skipped", QJsonObject{}}};
}

QString Catalog::resolveSampler(const QString &requested, QString *legacyScheduler) {
    QString name = requested;
    // Legacy names carry the scheduler as a suffix, e.g. "DPM++ 2M Karras".
    for (const SchedulerDef &s : schedulers()) {
        const QString suffix = QStringLiteral(" ") + s.label;
        if (name.endsWith(suffix)) {
            name.chop(suffix.size());
            if (legacyScheduler)
                *legacyScheduler = s.label;
            break;
        }
    }
    for (const SamplerDef &s : samplers())
        if (name == s.name)
            return name;
    return samplers().first().name;
}

QString Catalog::resolveSchedulerLabel(const QString &requested, const QString &sampler) {
    QString label = "Automatic";
    for (const SchedulerDef &s : schedulers())
        if (requested == s.name || requested == s.label)
            label = s.label;
    if (label != "Automatic")
        return label;
    for (const SamplerDef &s : samplers()) {
        if (sampler == s.name && s.options.contains("scheduler")) {
            const QString schedName = s.options.value("scheduler").toString();
            for (const SchedulerDef &d : schedulers())
                if (schedName == d.name)
                    return d.label;
        }
    }
    return label;
}

QStringList Catalog::defaultUpscalerNames() {
    return {"None",       "Lanczos",   "Nearest",      "4x_NMKD-Siax_200k",
            "DAT x2",     "ESRGAN_4x", "R-ESRGAN 4x+", "R-ESRGAN 4x+ Anime6B",
            "ScuNET GAN", "SwinIR 4x"};
}

void Catalog::setUpscalerNames(const QStringList &names) {
    upscalerNames() = names;
}

bool Catalog::isUpscaler(const QString &name) {
    return upscalerNames().contains(name) || name.startsWith("Latent");
}

QString Catalog::moduleFile(const QString &nameOrPath) {
    const QString file = QFileInfo(nameOrPath).fileName();
    return moduleNames().contains(file) ? file : QString();
}

} // namespace forgesim
