#include "GenerationQueue.h"

#include "Infotext.h"
#include "PngWriter.h"
#include "Validation.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <chrono>

Q_LOGGING_CATEGORY(lcSim, "forgesim.queue")

namespace forgesim {

namespace {
double nowMs() {
    const auto since = std::chrono::system_clock::now().time_since_epoch();
    return double(std::chrono::duration_cast<std::chrono::microseconds>(since).count()) / 1000.0;
}
QByteArray compact(const QJsonValue &v) {
    return v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
                        : QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
}
QByteArray forgeException(const QString &cls, const QString &message) {
    return compact(QJsonObject{{"error", cls}, {"detail", ""}, {"body", ""}, {"message", message}});
}
QImage decodeImage(QString b64, bool *ok) {
    const int comma = b64.indexOf(',');
    if (b64.startsWith("data:") && comma > 0)
        b64 = b64.mid(comma + 1);
    QImage img;
    const QByteArray raw = QByteArray::fromBase64(b64.toLatin1());
    *ok = !raw.isEmpty() && img.loadFromData(raw);
    return img;
}
QString num(double v, bool isInt) {
    return isInt ? QString::number(qint64(v)) : Infotext::pyFloat(v);
}
} // namespace

QJsonObject RequestLogEntry::toJson() const {
    auto ms = [](double v) { return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v); };
    return QJsonObject{{"task_id", taskId},
                       {"kind", kind},
                       {"model", model},
                       {"arrived_ms", ms(arrivedMs)},
                       {"started_ms", ms(startedMs)},
                       {"ended_ms", ms(endedMs)},
                       {"outcome", outcome},
                       {"body", body}};
}

struct GenerationQueue::Task {
    QString id, kind;
    QJsonObject body;
    Reply reply;
    std::function<void()> drop;
    std::shared_ptr<RequestLogEntry> log;
    bool dropped = false, willDrop = false;
    bool forcedId = false; // the client chose the task id (force_task_id)
    // Resolved parameters.
    QString prompt, negative, sampler, scheduleLabel;
    int width = 512, height = 512, hrWidth = 0, hrHeight = 0, steps = 50, hrSteps = 0, nIter = 1,
        batchSize = 1;
    bool hires = false, hasFirstpass = false;
    QImage firstpass;
    quint64 seed = 0, subseed = 0;
    QList<Pass> passes;
    int pass = 0, step = 0;
    bool sampling = false;
};

GenerationQueue::GenerationQueue(const SimConfig &config, QObject *parent)
    : QObject(parent), m_config(config), m_catalog(config.models), m_rng(config.seed) {
    m_options = defaultOptions();
    m_loaded = m_catalog.models().isEmpty() ? nullptr : &m_catalog.models().first();
    m_clock.setSingleShot(true);
    connect(&m_clock, &QTimer::timeout, this, &GenerationQueue::tick);
}

QJsonObject GenerationQueue::defaultOptions() const {
    const Model *first = m_catalog.models().isEmpty() ? nullptr : &m_catalog.models().first();
    return QJsonObject{{"sd_model_checkpoint", first ? QJsonValue(first->title()) : QJsonValue()},
                       {"sd_checkpoint_hash", first ? QJsonValue(first->sha256) : QJsonValue()},
                       {"forge_additional_modules", QJsonArray{}},
                       {"forge_preset", "all"},
                       {"forge_unet_storage_dtype", "Automatic"},
                       {"sd_vae", "Automatic"},
                       {"CLIP_stop_at_last_layers", 1},
                       {"samples_format", "png"},
                       {"live_previews_enable", true},
                       {"show_progress_every_n_steps", m_config.previewEvery},
                       {"live_previews_image_format", "png"},
                       {"show_progress_type", "Approx NN"},
                       {"sd_checkpoint_cache", 0},
                       {"outdir_samples", ""},
                       {"save_images_default", false}};
}

QString GenerationQueue::newTaskId(const QString &kind) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QString s;
    for (int i = 0; i < 7; ++i)
        s += QLatin1Char(alphabet[m_rng.bounded(36)]);
    return QStringLiteral("task(%1-%2)").arg(kind, s);
}

QStringList GenerationQueue::currentModuleNames() const {
    QStringList out;
    for (const QJsonValue &v : m_options.value("forge_additional_modules").toArray())
        out.append(QFileInfo(v.toString()).completeBaseName());
    return out;
}

void GenerationQueue::enqueue(const QString &kind, const QJsonObject &body, Reply reply,
                              std::function<void()> drop) {
    auto t = std::make_shared<Task>();
    t->kind = kind;
    t->body = body;
    t->reply = std::move(reply);
    t->drop = std::move(drop);
    if (kind != "refresh") {
        t->id = Validation::str(body, "force_task_id");
        t->forcedId = !t->id.isEmpty();
        if (t->id.isEmpty())
            t->id = newTaskId(kind);
        t->log = std::make_shared<RequestLogEntry>();
        t->log->taskId = t->id;
        t->log->kind = kind;
        t->log->arrivedMs = nowMs();
        t->log->body = body;
        const Model *m = m_catalog.findModel(
            body.value("override_settings").toObject().value("sd_model_checkpoint").toString());
        t->log->model = m ? m->name : QString(); // resolved again at start, when the loaded model is known
        m_log.append(t->log);
        m_pending.append({t->id, nowMs()});
        qCInfo(lcSim).noquote() << "arrive" << kind << t->id << "queue"
                                << m_queue.size() + (m_running ? 1 : 0);
    }
    m_queue.push_back(t);
    if (!m_running)
        QTimer::singleShot(0, this, &GenerationQueue::startNext);
}

void GenerationQueue::startNext() {
    if (m_running || m_queue.empty())
        return;
    m_running = m_queue.front();
    m_queue.pop_front();
    Task &t = *m_running;
    if (t.kind == "refresh") {
        auto reply = t.reply;
        m_running.reset();
        reply(200, "null");
        startNext();
        return;
    }
    // state.begin() and start_task()
    m_interrupted = m_skipped = false;
    m_job = "scripts_" + t.kind;
    m_jobCount = -1;
    m_jobNo = 0;
    m_samplingStep = 0;
    m_samplingSteps = 0;
    m_lastPreviewStep = 0;
    m_preview.clear();
    m_jobTimestamp = QDateTime::currentDateTime().toString("yyyyMMddHHmmss");
    m_jobClock.start();
    m_currentTask = t.id;
    for (int i = 0; i < m_pending.size(); ++i)
        if (m_pending[i].first == t.id) {
            m_pending.removeAt(i);
            break;
        }
    t.log->startedMs = nowMs();
    t.log->outcome = "running";

    const QJsonObject &b = t.body;
    const QJsonObject overrides = b.value("override_settings").toObject();
    const Model *target = m_catalog.findModel(overrides.value("sd_model_checkpoint").toString());
    // With restore_afterwards=true the override applies to this job only and /options keeps its value.
    if (target && !Validation::boolean(b, "override_settings_restore_afterwards", true)) {
        m_options["sd_model_checkpoint"] = overrides.value("sd_model_checkpoint").toString();
        m_options["sd_checkpoint_hash"] = target->sha256;
    }
    if (overrides.contains("forge_additional_modules")) {
        QJsonArray paths;
        for (const QJsonValue &v : overrides.value("forge_additional_modules").toArray()) {
            const QString f = Catalog::moduleFile(v.toString());
            if (!f.isEmpty())
                paths.append(
                    (f == "ae.safetensors" ? "/opt/forge/models/VAE/" : "/opt/forge/models/text_encoder/") +
                    f);
        }
        m_options["forge_additional_modules"] = paths;
    }
    // Without an override the selected checkpoint (/options) is used; POST /options only selects, this loads.
    const Model *effective =
        target ? target : m_catalog.findModel(m_options.value("sd_model_checkpoint").toString());
    if (!effective)
        effective = m_loaded                       ? m_loaded
                    : m_catalog.models().isEmpty() ? nullptr
                                                   : &m_catalog.models().first();
    t.log->model = effective ? effective->name : QString();
    qCInfo(lcSim).noquote() << "start" << t.kind << t.id << "model" << t.log->model;

    if (!effective) {
        failJob(500, forgeException("ValueError",
                                    "You do not have any model! Please download at least one model."));
        return;
    }
    if (failNext > 0) {
        --failNext;
        failJob(failStatus, forgeException("RuntimeError", "forge-sim: injected failure"));
        return;
    }
    if (dropNext > 0) {
        --dropNext;
        t.willDrop = true;
    }

    // Resolve parameters.
    t.prompt = Validation::str(b, "prompt");
    t.negative = Validation::str(b, "negative_prompt");
    QString legacySched;
    const QString samplerReq =
        Validation::str(b, "sampler_name", Validation::str(b, "sampler_index", "Euler"));
    t.sampler = Catalog::resolveSampler(samplerReq, &legacySched);
    QString schedReq = Validation::str(b, "scheduler");
    if (!legacySched.isEmpty() && (schedReq.isEmpty() || schedReq == "automatic" || schedReq == "Automatic"))
        schedReq = legacySched;
    t.scheduleLabel = Catalog::resolveSchedulerLabel(schedReq, t.sampler);
    t.width = int(Validation::integer(b, "width", 512)) / 8 * 8;
    t.height = int(Validation::integer(b, "height", 512)) / 8 * 8;
    t.steps = qMax(1, int(Validation::integer(b, "steps", 50)));
    t.nIter = qMax(1, int(Validation::integer(b, "n_iter", 1)));
    t.batchSize = qMax(1, int(Validation::integer(b, "batch_size", 1)));
    qint64 seed = Validation::integer(b, "seed", -1);
    t.seed = seed == -1 ? m_rng.bounded(quint32(4294967294u)) : quint64(seed);
    qint64 subseed = Validation::integer(b, "subseed", -1);
    t.subseed = subseed == -1 ? m_rng.bounded(quint32(4294967294u)) : quint64(subseed);
    t.hires = t.kind == "txt2img" && Validation::boolean(b, "enable_hr", false);
    if (t.kind == "img2img") {
        const double denoise = Validation::number(b, "denoising_strength", 0.75);
        t.steps = int(qMin(denoise, 0.999) * t.steps) + 1;
    }
    if (t.hires) {
        const QString upscaler = Validation::str(b, "hr_upscaler", "Latent");
        if (!Catalog::isUpscaler(upscaler)) {
            failJob(500, forgeException("Exception", "could not find upscaler named " + upscaler));
            return;
        }
        int rx = int(Validation::integer(b, "hr_resize_x", 0)),
            ry = int(Validation::integer(b, "hr_resize_y", 0));
        if (rx == 0 && ry == 0) {
            const double scale = Validation::number(b, "hr_scale", 2.0);
            rx = int(t.width * scale);
            ry = int(t.height * scale);
        } else if (rx == 0) {
            rx = ry * t.width / qMax(1, t.height);
        } else if (ry == 0) {
            ry = rx * t.height / qMax(1, t.width);
        }
        t.hrWidth = rx / 8 * 8;
        t.hrHeight = ry / 8 * 8;
        t.hrSteps = int(Validation::integer(b, "hr_second_pass_steps", 0));
        if (t.hrSteps <= 0)
            t.hrSteps = Validation::integer(b, "steps", 50);
        if (!b.value("firstpass_image").isNull() && b.contains("firstpass_image")) {
            if (m_config.unpatched) { // numpy is handed the base64 text instead of pixels
                failJob(500, forgeException("ValueError", "could not convert string to float: '" +
                                                              b.value("firstpass_image").toString() + "'"));
                return;
            }
            bool ok = false;
            t.firstpass = decodeImage(b.value("firstpass_image").toString(), &ok);
            if (!ok) {
                failJob(500, compact(QJsonObject{{"detail", "Invalid encoded image"}}));
                return;
            }
            t.hasFirstpass = true;
        }
    }
    if (t.kind == "img2img") {
        if (!b.contains("init_images") || b.value("init_images").isNull()) {
            failJob(404, compact(QJsonObject{{"detail", "Init image not found"}}));
            return;
        }
        const QJsonArray inits = b.value("init_images").toArray();
        bool ok = false;
        if (!inits.isEmpty())
            decodeImage(inits.first().toString(), &ok);
        if (inits.isEmpty()) {
            failJob(500, forgeException("IndexError", "list index out of range"));
            return;
        }
        if (!ok) {
            failJob(500, compact(QJsonObject{{"detail", "Invalid encoded image"}}));
            return;
        }
    }
    for (int i = 0; i < t.nIter; ++i) {
        if (!t.hasFirstpass)
            t.passes.append({t.steps, false, i});
        if (t.hires)
            t.passes.append({t.hrSteps, true, i});
    }

    const bool needSwitch = effective != m_loaded;
    m_loaded = effective;
    if (needSwitch && m_config.switchMs > 0) {
        m_clock.start(m_config.switchMs);
    } else {
        beginSampling();
    }
}

void GenerationQueue::beginSampling() {
    Task &t = *m_running;
    if (m_interrupted) { // interrupted while the model was loading: 200 with no images
        finishJob(true);
        return;
    }
    t.sampling = true;
    m_jobCount = t.nIter * (t.hires ? 2 : 1);
    m_jobNo = t.hasFirstpass ? 1 : 0;
    m_samplingStep = 0;
    m_samplingSteps = t.passes.first().steps;
    m_job = t.nIter > 1 ? QStringLiteral("Batch 1 out of %1").arg(t.nIter) : m_job;
    m_clock.start(m_config.stepMs);
}

void GenerationQueue::tick() {
    if (!m_running)
        return;
    Task &t = *m_running;
    if (!t.sampling) { // end of the model switch
        beginSampling();
        return;
    }
    if (m_interrupted) {
        finishJob(true);
        return;
    }
    const Pass &pass = t.passes[t.pass];
    ++t.step;
    if (m_skipped) {
        m_skipped = false;
        t.step = pass.steps;
    }
    if (t.willDrop && !t.dropped && (t.pass > 0 || t.step * 2 >= pass.steps)) {
        t.dropped = true;
        qCInfo(lcSim).noquote() << "drop connection" << t.id;
        t.drop();
    }
    if (t.step < pass.steps) {
        m_samplingStep = t.step;
        const int every = m_options.value("show_progress_every_n_steps").toInt(10);
        if (every > 0 && m_samplingStep - m_lastPreviewStep >= every)
            makePreview();
        m_clock.start(m_config.stepMs);
        return;
    }
    // Pass finished.
    if (m_options.value("show_progress_every_n_steps").toInt(10) == -1)
        makePreview();
    if (t.pass + 1 >= t.passes.size()) {
        finishJob(false);
        return;
    }
    ++t.pass;
    t.step = 0;
    ++m_jobNo;
    m_samplingStep = 0;
    m_lastPreviewStep = 0;
    m_samplingSteps = t.passes[t.pass].steps;
    if (t.nIter > 1)
        m_job = QStringLiteral("Batch %1 out of %2").arg(t.passes[t.pass].batch + 1).arg(t.nIter);
    m_clock.start(m_config.stepMs);
}

void GenerationQueue::makePreview() {
    const Task &t = *m_running;
    const Pass &pass = t.passes[t.pass];
    const double fraction = double(m_samplingStep) / qMax(1, pass.steps);
    // Previews are drawn small: they only have to exist and change.
    const QImage img = PngWriter::render(qMax(8, t.width / 4), qMax(8, t.height / 4), t.prompt,
                                         t.seed + pass.batch, fraction);
    m_preview = PngWriter::encode(img, QString());
    ++m_previewId;
    m_lastPreviewStep = m_samplingStep;
}

void GenerationQueue::failJob(int status, const QByteArray &body) {
    std::shared_ptr<Task> t = std::move(m_running);
    // Forge does not call finish_task on an exception: current_task keeps the failed id.
    t->log->endedMs = nowMs();
    t->log->outcome = "failed";
    qCInfo(lcSim).noquote() << "end" << t->id << "failed" << status;
    endState();
    t->reply(status, body);
    QTimer::singleShot(0, this, &GenerationQueue::startNext);
}

void GenerationQueue::endState() {
    m_job.clear();
    m_jobCount = 0;
}

void GenerationQueue::finishJob(bool interrupted) {
    std::shared_ptr<Task> tp = std::move(m_running);
    Task &t = *tp;
    const QJsonObject &b = t.body;
    const Model *model = m_loaded;
    const double cfg = Validation::number(b, "cfg_scale", 7.0);
    const double subStrength = Validation::number(b, "subseed_strength", 0);
    const bool flux = model && model->isFlux();
    const QJsonObject scripts = b.value("alwayson_scripts").toObject();
    auto scriptArgs = [&](const QString &prefix) {
        for (auto it = scripts.begin(); it != scripts.end(); ++it)
            if (it.key().startsWith(prefix, Qt::CaseInsensitive))
                return it.value().toObject().value("args").toArray();
        return QJsonArray();
    };

    Infotext::Params base;
    base.append({"Steps", QString::number(Validation::integer(b, "steps", 50))});
    base.append({"Sampler", t.sampler});
    base.append({"Schedule type", t.scheduleLabel});
    base.append({"CFG scale", Infotext::pyFloat(cfg)});
    if (flux)
        base.append(
            {"Distilled CFG Scale", Infotext::pyFloat(Validation::number(b, "distilled_cfg_scale", 3.5))});
    if (t.kind == "img2img" && b.contains("image_cfg_scale") && !b.value("image_cfg_scale").isNull())
        base.append({"Image CFG scale", Infotext::pyFloat(Validation::number(b, "image_cfg_scale", 1.5))});
    const int seedIndex = base.size();
    base.append({"Seed", QString()});
    base.append({"Size", QStringLiteral("%1x%2").arg(t.width).arg(t.height)});
    if (model) {
        base.append({"Model hash", model->sha256.left(10)});
        base.append({"Model", model->name});
    }
    if (subStrength != 0) {
        base.append({"Variation seed", QString::number(t.subseed)});
        base.append({"Variation seed strength", Infotext::pyFloat(subStrength)});
    }
    if (t.kind == "img2img" || t.hires)
        base.append({"Denoising strength",
                     Infotext::pyFloat(Validation::number(b, "denoising_strength", t.hires ? 0.75 : 0.75))});
    const int clipSkip = m_options.value("CLIP_stop_at_last_layers").toInt(1);
    if (clipSkip > 1)
        base.append({"Clip skip", QString::number(clipSkip)});
    if (t.kind == "img2img") {
        base.append({"Mask blur", QString::number(Validation::integer(b, "mask_blur", 4))});
    }
    if (t.hires) {
        const QJsonArray hrModules = b.value("hr_additional_modules").toArray();
        if (hrModules.isEmpty())
            base.append({QStringLiteral("Hires Module 1"), QStringLiteral("Built-in")});
        else
            for (int i = 0; i < hrModules.size(); ++i)
                base.append({QStringLiteral("Hires Module %1").arg(i + 1),
                             QFileInfo(hrModules[i].toString()).completeBaseName()});
        base.append({"Hires CFG Scale", Infotext::pyFloat(Validation::number(b, "hr_cfg", 1.0))});
        if (Validation::integer(b, "hr_resize_x", 0) == 0 && Validation::integer(b, "hr_resize_y", 0) == 0)
            base.append({"Hires upscale", Infotext::pyFloat(Validation::number(b, "hr_scale", 2.0))});
        else
            base.append({"Hires resize", QStringLiteral("%1x%2").arg(t.hrWidth).arg(t.hrHeight)});
        base.append({"Hires steps", QString::number(t.hrSteps)});
        base.append({"Hires upscaler", Validation::str(b, "hr_upscaler", "Latent")});
    }
    const QJsonArray freeu = scriptArgs("FreeU");
    if (!flux && !freeu.isEmpty() && freeu.at(0).toBool()) {
        const QStringList keys = {"freeu_b1", "freeu_b2", "freeu_s1", "freeu_s2", "freeu_start", "freeu_end"};
        const QList<double> defs = {1.01, 1.02, 0.99, 0.95, 0.0, 1.0};
        base.append({QStringLiteral("freeu_enabled"), QStringLiteral("True")});
        for (int i = 0; i < keys.size(); ++i) {
            const QJsonValue v = freeu.size() > i + 1 ? freeu.at(i + 1) : QJsonValue(defs[i]);
            base.append({keys[i], v.isDouble() ? num(v.toDouble(), v.toDouble() == qint64(v.toDouble()) &&
                                                                       freeu.size() > i + 1)
                                               : v.toVariant().toString()});
        }
    }
    const QJsonArray sag = scriptArgs("SelfAttentionGuidance");
    // SAG runs neither for Flux nor with cfg <= 1, and a firstpass upscale only has the hires pass
    // (hr_cfg 1.0).
    const double sagCfg = t.hasFirstpass ? Validation::number(b, "hr_cfg", 1.0) : cfg;
    if (!flux && sagCfg > 1 && !sag.isEmpty() && sag.at(0).toBool()) {
        const QStringList keys = {"sag_scale", "sag_blur_sigma", "sag_threshold"};
        const QList<double> defs = {0.5, 2.0, 1.0};
        base.append({QStringLiteral("sag_enabled"), QStringLiteral("True")});
        for (int i = 0; i < keys.size(); ++i) {
            const QJsonValue v = sag.size() > i + 1 ? sag.at(i + 1) : QJsonValue(defs[i]);
            base.append({keys[i], v.isDouble() ? num(v.toDouble(), v.toDouble() == qint64(v.toDouble()) &&
                                                                       sag.size() > i + 1)
                                               : v.toVariant().toString()});
        }
    }
    base.append({QStringLiteral("Version"), QString::fromLatin1(Infotext::kVersion)});
    const QStringList modules = currentModuleNames();
    for (int i = 0; i < modules.size(); ++i)
        base.append({QStringLiteral("Module %1").arg(i + 1), modules[i]});

    // One image per batch that started; an interrupt keeps the partial image of the current batch.
    QJsonArray images, seeds, subseeds, infotexts, prompts, negatives;
    const int total = t.nIter * t.batchSize;
    for (int i = 0; i < total; ++i) {
        seeds.append(double(subStrength == 0 ? t.seed + i : t.seed));
        subseeds.append(double(t.subseed + i));
        prompts.append(t.prompt);
        negatives.append(t.negative);
        Infotext::Params p = base;
        p[seedIndex].second = QString::number(subStrength == 0 ? t.seed + i : t.seed);
        infotexts.append(Infotext::build(t.prompt, t.negative, p));
    }
    const bool sendImages = Validation::boolean(b, "send_images", true);
    if (t.sampling && sendImages) {
        const int currentBatch = t.passes.isEmpty() ? 0 : t.passes[t.pass].batch;
        for (int batch = 0; batch < t.nIter; ++batch) {
            if (interrupted && batch > currentBatch)
                break;
            const bool partial = interrupted && batch == currentBatch;
            const bool hiresDone = t.hires && (!partial || t.passes[t.pass].hires);
            const double fraction = partial ? double(t.step) / qMax(1, t.passes[t.pass].steps) : 1.0;
            for (int j = 0; j < t.batchSize; ++j) {
                const int idx = batch * t.batchSize + j;
                const quint64 seed = quint64(seeds[idx].toDouble());
                QImage img;
                if (t.hasFirstpass) {
                    const QImage scaled =
                        t.firstpass.convertToFormat(QImage::Format_RGB32)
                            .scaled(t.hrWidth, t.hrHeight, Qt::IgnoreAspectRatio, Qt::FastTransformation);
                    // Pixels only: the decoded first pass still carries its own `parameters` text, which
                    // would end up in the new PNG next to the new infotext.
                    img = QImage(scaled.constBits(), scaled.width(), scaled.height(), scaled.bytesPerLine(),
                                 scaled.format())
                              .copy();
                } else if (hiresDone) {
                    img = PngWriter::render(t.hrWidth, t.hrHeight, t.prompt, seed, fraction);
                } else {
                    img = PngWriter::render(t.width, t.height, t.prompt, seed, fraction);
                }
                images.append(
                    QString::fromLatin1(PngWriter::encode(img, infotexts[idx].toString()).toBase64()));
            }
        }
    }

    QJsonObject info{{"prompt", t.prompt},
                     {"all_prompts", prompts},
                     {"negative_prompt", t.negative},
                     {"all_negative_prompts", negatives},
                     {"seed", double(t.seed)},
                     {"all_seeds", seeds},
                     {"subseed", double(t.subseed)},
                     {"all_subseeds", subseeds},
                     {"subseed_strength", subStrength},
                     {"width", t.width},
                     {"height", t.height},
                     {"sampler_name", t.sampler},
                     {"cfg_scale", cfg},
                     {"steps", int(Validation::integer(b, "steps", 50))},
                     {"batch_size", t.batchSize},
                     {"restore_faces", false},
                     {"face_restoration_model", QJsonValue::Null},
                     {"sd_model_name", model ? QJsonValue(model->name) : QJsonValue()},
                     {"sd_model_hash", model ? QJsonValue(model->sha256.left(10)) : QJsonValue()},
                     {"sd_vae_name", QJsonValue::Null},
                     {"sd_vae_hash", QJsonValue::Null},
                     {"seed_resize_from_w", int(Validation::integer(b, "seed_resize_from_w", -1))},
                     {"seed_resize_from_h", int(Validation::integer(b, "seed_resize_from_h", -1))},
                     {"denoising_strength", Validation::number(b, "denoising_strength", 0.75)},
                     {"extra_generation_params", QJsonObject{{"Schedule type", t.scheduleLabel}}},
                     {"index_of_first_image", 0},
                     {"infotexts", infotexts},
                     {"styles", b.value("styles").isArray() ? b.value("styles") : QJsonArray{}},
                     {"job_timestamp", m_jobTimestamp},
                     {"clip_skip", clipSkip},
                     {"is_using_inpainting_conditioning", false},
                     {"version", Infotext::kVersion}};

    // The "parameters" echo: the request after defaults (seed stays -1).
    QJsonObject params{{"prompt", ""},
                       {"negative_prompt", ""},
                       {"styles", QJsonValue::Null},
                       {"seed", -1},
                       {"subseed", -1},
                       {"subseed_strength", 0},
                       {"seed_resize_from_h", -1},
                       {"seed_resize_from_w", -1},
                       {"sampler_name", QJsonValue::Null},
                       {"scheduler", QJsonValue::Null},
                       {"batch_size", 1},
                       {"n_iter", 1},
                       {"steps", 50},
                       {"cfg_scale", 7.0},
                       {"distilled_cfg_scale", 3.5},
                       {"width", 512},
                       {"height", 512},
                       {"restore_faces", QJsonValue::Null},
                       {"tiling", QJsonValue::Null},
                       {"denoising_strength", 0.75},
                       {"override_settings", QJsonValue::Null},
                       {"override_settings_restore_afterwards", true},
                       {"sampler_index", "Euler"},
                       {"script_name", QJsonValue::Null},
                       {"script_args", QJsonArray{}},
                       {"send_images", true},
                       {"save_images", false},
                       {"alwayson_scripts", QJsonObject{}},
                       {"force_task_id", QJsonValue::Null},
                       {"infotext", QJsonValue::Null}};
    if (t.kind == "txt2img") {
        const QJsonObject hr{{"enable_hr", false},
                             {"hr_scale", 2.0},
                             {"hr_upscaler", QJsonValue::Null},
                             {"hr_second_pass_steps", 0},
                             {"hr_resize_x", 0},
                             {"hr_resize_y", 0},
                             {"hr_checkpoint_name", QJsonValue::Null},
                             {"hr_additional_modules", QJsonValue::Null},
                             {"hr_sampler_name", QJsonValue::Null},
                             {"hr_scheduler", QJsonValue::Null},
                             {"hr_prompt", ""},
                             {"hr_negative_prompt", ""},
                             {"hr_cfg", 1.0},
                             {"hr_distilled_cfg", 3.5},
                             {"firstpass_image", QJsonValue::Null}};
        for (auto it = hr.begin(); it != hr.end(); ++it)
            params.insert(it.key(), it.value());
    } else {
        const QJsonObject i2i{{"init_images", QJsonValue::Null},
                              {"mask", QJsonValue::Null},
                              {"resize_mode", 0},
                              {"mask_blur_x", 4},
                              {"mask_blur_y", 4},
                              {"mask_blur", QJsonValue::Null},
                              {"mask_round", true},
                              {"inpainting_fill", 0},
                              {"inpaint_full_res", true},
                              {"inpaint_full_res_padding", 0},
                              {"inpainting_mask_invert", 0},
                              {"initial_noise_multiplier", QJsonValue::Null},
                              {"image_cfg_scale", QJsonValue::Null},
                              {"include_init_images", false}};
        for (auto it = i2i.begin(); it != i2i.end(); ++it)
            params.insert(it.key(), it.value());
    }
    for (auto it = b.begin(); it != b.end(); ++it)
        if (params.contains(it.key()) && !it.value().isNull())
            params.insert(it.key(), it.value());
    if (t.kind == "img2img" && !Validation::boolean(b, "include_init_images", false)) {
        params["init_images"] = QJsonValue::Null;
        params["mask"] = QJsonValue::Null;
    }

    const QByteArray body =
        compact(QJsonObject{{"images", images},
                            {"parameters", params},
                            {"info", QString::fromUtf8(QJsonDocument(info).toJson(QJsonDocument::Compact))}});

    // Kept after the reply was built, whether or not the client is still there to read it (the patch).
    if (!m_config.unpatched && t.forcedId) {
        m_kept.removeIf([&](const auto &kept) { return kept.first == t.id; });
        m_kept.append({t.id, body});
        while (m_kept.size() > 4)
            m_kept.removeFirst();
    }

    // finish_task()
    m_currentTask.clear();
    m_finished.append(t.id);
    while (m_finished.size() > 16)
        m_finished.removeFirst();
    endState();
    t.log->endedMs = nowMs();
    t.log->outcome = t.dropped ? "dropped" : interrupted ? "interrupted" : "ok";
    qCInfo(lcSim).noquote() << "end" << t.id << t.log->outcome << images.size() << "image(s)";
    if (!t.dropped)
        t.reply(200, body);
    QTimer::singleShot(0, this, &GenerationQueue::startNext);
}

void GenerationQueue::unload() {
    if (m_loaded)
        ++m_unloadCount;
    m_loaded = nullptr;
}

QJsonObject GenerationQueue::progress(bool skipCurrentImage) const {
    const QJsonObject state{
        {"skipped", m_skipped}, {"interrupted", m_interrupted},    {"stopping_generation", false},
        {"job", m_job},         {"job_count", m_jobCount},         {"job_timestamp", m_jobTimestamp},
        {"job_no", m_jobNo},    {"sampling_step", m_samplingStep}, {"sampling_steps", m_samplingSteps}};
    if (m_jobCount == 0)
        return QJsonObject{{"progress", 0.0},
                           {"eta_relative", 0.0},
                           {"state", state},
                           {"current_image", QJsonValue::Null},
                           {"textinfo", QJsonValue::Null}};
    double progress = 0.01;
    if (m_jobCount > 0)
        progress +=
            double(m_jobNo) / m_jobCount +
            (1.0 / m_jobCount) * (m_samplingSteps > 0 ? double(m_samplingStep) / m_samplingSteps : 0.0);
    const double elapsed = m_jobClock.elapsed() / 1000.0;
    const double eta = elapsed / progress - elapsed;
    const bool image = !skipCurrentImage && !m_preview.isEmpty();
    return QJsonObject{
        {"progress", qMin(progress, 1.0)},
        {"eta_relative", eta},
        {"state", state},
        {"current_image", image ? QJsonValue(QString::fromLatin1(m_preview.toBase64())) : QJsonValue()},
        {"textinfo", QJsonValue::Null}};
}

QJsonObject GenerationQueue::internalProgress(const QJsonValue &idTask, int idLivePreview,
                                              bool livePreview) const {
    const QString id = idTask.toString();
    const bool idNull = idTask.isNull() || idTask.isUndefined();
    const bool active = idNull ? m_currentTask.isNull() : (!m_currentTask.isNull() && id == m_currentTask);
    bool queued = false;
    int position = 0;
    for (int i = 0; i < m_pending.size(); ++i)
        if (!idNull && m_pending[i].first == id) {
            queued = true;
            position = i + 1;
        }
    const bool completed = !idNull && m_finished.contains(id);
    if (!active)
        return QJsonObject{
            {"active", false},
            {"queued", queued},
            {"completed", completed},
            {"progress", QJsonValue::Null},
            {"eta", QJsonValue::Null},
            {"live_preview", QJsonValue::Null},
            {"id_live_preview", -1},
            {"textinfo", queued ? QStringLiteral("In queue: %1/%2").arg(position).arg(m_pending.size())
                                : QStringLiteral("Waiting...")}};
    double progress = 0;
    if (m_jobCount > 0)
        progress = qMin(1.0, double(m_jobNo) / m_jobCount +
                                 (1.0 / m_jobCount) *
                                     (m_samplingSteps > 0 ? double(m_samplingStep) / m_samplingSteps : 0.0));
    const double elapsed = m_jobClock.isValid() ? m_jobClock.elapsed() / 1000.0 : 0;
    QJsonValue preview;
    int previewId = idLivePreview;
    if (livePreview && m_options.value("live_previews_enable").toBool(true) && !m_preview.isEmpty() &&
        m_previewId != idLivePreview) {
        preview = "data:image/png;base64," + QString::fromLatin1(m_preview.toBase64());
        previewId = m_previewId;
    }
    return QJsonObject{{"active", true},
                       {"queued", false},
                       {"completed", false},
                       {"progress", progress},
                       {"eta", progress > 0 ? QJsonValue(elapsed / progress - elapsed) : QJsonValue()},
                       {"live_preview", preview},
                       {"id_live_preview", previewId},
                       {"textinfo", QJsonValue::Null}};
}

QJsonObject GenerationQueue::pendingTasks() const {
    QJsonArray ids;
    for (const auto &p : m_pending)
        ids.append(p.first);
    return QJsonObject{{"size", ids.size()}, {"tasks", ids}};
}

QByteArray GenerationQueue::setOptions(const QJsonObject &values, int *status) {
    *status = 200;
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!m_options.contains(it.key())) {
            *status = 500;
            return forgeException("KeyError", "'" + it.key() + "'");
        }
        if (it.key() == "sd_model_checkpoint") {
            const Model *m = m_catalog.findModel(it.value().toString());
            if (!m) {
                *status = 500;
                return forgeException("RuntimeError", "model '" + it.value().toString() + "' not found");
            }
            m_options["sd_checkpoint_hash"] = m->sha256;
        }
        if (it.key() == "forge_additional_modules") {
            QJsonArray paths;
            for (const QJsonValue &v : it.value().toArray()) {
                const QString f = Catalog::moduleFile(v.toString());
                if (!f.isEmpty())
                    paths.append((f == "ae.safetensors" ? "/opt/forge/models/VAE/"
                                                        : "/opt/forge/models/text_encoder/") +
                                 f);
            }
            m_options[it.key()] = paths;
            continue;
        }
        m_options[it.key()] = it.value();
    }
    return "null";
}

QJsonArray GenerationQueue::requestLog() const {
    QJsonArray out;
    for (const auto &e : m_log)
        out.append(e->toJson());
    return out;
}

void GenerationQueue::restart() {
    m_clock.stop();
    auto dropTask = [](const std::shared_ptr<Task> &t) {
        if (t->log) {
            t->log->outcome = "dropped";
            t->log->endedMs = nowMs();
        }
        t->drop();
    };
    if (m_running)
        dropTask(m_running);
    m_running.reset();
    for (const auto &t : m_queue)
        dropTask(t);
    m_queue.clear();
    m_pending.clear();
    m_currentTask = QString();
    m_finished.clear();
    m_kept.clear();
    m_interrupted = m_skipped = false;
    m_job.clear();
    m_jobCount = m_jobNo = m_samplingStep = m_samplingSteps = 0;
    m_preview.clear();
    m_options = defaultOptions();
    m_loaded = m_catalog.models().isEmpty() ? nullptr : &m_catalog.models().first();
}

QByteArray GenerationQueue::keptResult(const QString &taskId) const {
    for (const auto &[id, body] : m_kept)
        if (id == taskId)
            return body;
    return {};
}

QJsonObject GenerationQueue::simState() const {
    QJsonArray pending;
    for (const auto &p : m_pending)
        pending.append(p.first);
    return QJsonObject{{"loaded_model", m_loaded ? QJsonValue(m_loaded->name) : QJsonValue()},
                       {"unload_count", m_unloadCount},
                       {"busy", bool(m_running) && m_running->kind != "refresh"},
                       {"current_task", m_currentTask.isNull() ? QJsonValue() : QJsonValue(m_currentTask)},
                       {"pending", pending}};
}

} // namespace forgesim
