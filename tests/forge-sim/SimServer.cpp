#include "SimServer.h"

#include "Infotext.h"
#include "PngWriter.h"
#include "Validation.h"

#include <QBuffer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QImage>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcServer, "forgesim.http")

namespace forgesim {

namespace {

QByteArray toJson(const QJsonValue &v) {
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

QByteArray detail(const QJsonValue &d) {
    return toJson(QJsonObject{{"detail", d}});
}

// Built-in always-on scripts (titles compared without regard to case).
const QStringList &alwaysOnScripts() {
    static const QStringList titles = {"FreeU Integrated (SD 1.x, SD 2.x, SDXL)",
                                       "SelfAttentionGuidance Integrated (SD 1.x, SD 2.x, SDXL)",
                                       "ControlNet",
                                       "Refiner",
                                       "Seed",
                                       "Sampler",
                                       "Never OOM Integrated",
                                       "Kohya HRFix Integrated",
                                       "MultiDiffusion Integrated",
                                       "DynamicThresholding (CFG-Fix) Integrated",
                                       "LatentModifier Integrated",
                                       "StyleAlign Integrated"};
    return titles;
}

} // namespace

struct SimServer::Held {
    explicit Held(QHttpServerResponder &&r) : responder(std::move(r)), socket(responder.socket()) {}
    QHttpServerResponder responder;
    // Qt 6.4 deletes the socket (and the request) when the client goes away; the guard makes late answers
    // no-ops.
    QPointer<QTcpSocket> socket;
    bool answered = false;
};

SimServer::SimServer(const SimConfig &config, const FaultConfig &faults, QObject *parent)
    : QObject(parent), m_queue(config) {
    m_queue.failNext = faults.failNext;
    m_queue.failStatus = faults.failStatus;
    m_queue.dropNext = faults.dropNext;
    m_delayMs = faults.delayMs;
    m_http.setMissingHandler([this](const QHttpServerRequest &req, QHttpServerResponder &&responder) {
        handle(req, std::move(responder));
    });
}

bool SimServer::listen(const QHostAddress &host, quint16 port) {
    m_tcp = new QTcpServer(this);
    if (!m_tcp->listen(host, port))
        return false;
    m_host = host;
    m_port = m_tcp->serverPort();
    m_http.bind(m_tcp);
    return true;
}

void SimServer::refuse(int ms) {
    qCInfo(lcServer) << "refusing connections for" << ms << "ms";
    m_tcp->close();
    QTimer::singleShot(qMax(0, ms), this, [this] {
        if (!m_tcp->listen(m_host, m_port))
            qCWarning(lcServer) << "could not listen again on port" << m_port;
    });
}

void SimServer::send(const std::shared_ptr<Held> &h, int status, const QByteArray &json) {
    auto write = [h, status, json] {
        if (h->answered || !h->socket)
            return;
        h->answered = true;
        h->responder.write(json, "application/json", static_cast<QHttpServerResponder::StatusCode>(status));
    };
    if (m_delayMs > 0)
        QTimer::singleShot(m_delayMs, this, write);
    else
        write();
}

QJsonObject SimServer::faultsJson() const {
    return QJsonObject{{"fail_next", m_queue.failNext},
                       {"fail_status", m_queue.failStatus},
                       {"drop_next", m_queue.dropNext},
                       {"delay_ms", m_delayMs},
                       {"listening", m_tcp && m_tcp->isListening()}};
}

void SimServer::handle(const QHttpServerRequest &req, QHttpServerResponder &&responder) {
    auto h = std::make_shared<Held>(std::move(responder));
    QByteArray method;
    switch (req.method()) {
    case QHttpServerRequest::Method::Get:
        method = "GET";
        break;
    case QHttpServerRequest::Method::Post:
        method = "POST";
        break;
    default:
        method = "OTHER";
        break;
    }
    if (!m_apiAuth.isEmpty() && req.url().path().startsWith(QLatin1String("/sdapi/v1/")) &&
        req.value("authorization") != "Basic " + m_apiAuth.toBase64()) {
        h->answered = true;
        h->responder.write(detail("Incorrect username or password"),
                           {{"Content-Type", "application/json"}, {"WWW-Authenticate", "Basic"}},
                           QHttpServerResponder::StatusCode::Unauthorized);
        return;
    }
    route(h, method, req.url().path(), QUrlQuery(req.url()), req.body());
}

void SimServer::route(const std::shared_ptr<Held> &h, const QByteArray &method, const QString &path,
                      const QUrlQuery &query, const QByteArray &body) {
    GenerationQueue &q = m_queue;
    const Catalog &cat = q.catalog();
    const bool get = method == "GET", post = method == "POST";
    auto ok = [&](const QJsonValue &v) { send(h, 200, toJson(v)); };
    auto wrongMethod = [&] { send(h, 405, detail("Method Not Allowed")); };

    static const QString api = "/sdapi/v1/";
    if (path.startsWith(api)) {
        const QString ep = path.mid(api.size());
        const QHash<QString, std::function<QJsonValue()>> listings = {
            {"sd-models", [&] { return QJsonValue(cat.modelsJson()); }},
            {"samplers", [] { return QJsonValue(Catalog::samplersJson()); }},
            {"schedulers", [] { return QJsonValue(Catalog::schedulersJson()); }},
            {"upscalers", [] { return QJsonValue(Catalog::upscalersJson()); }},
            {"sd-modules", [] { return QJsonValue(Catalog::modulesJson()); }},
            {"loras", [] { return QJsonValue(Catalog::lorasJson()); }},
            {"embeddings", [] { return QJsonValue(Catalog::embeddingsJson()); }},
        };
        if (listings.contains(ep))
            return get ? ok(listings.value(ep)()) : wrongMethod();
        if (ep == "options") {
            if (get)
                return ok(q.options());
            if (!post)
                return wrongMethod();
            const QJsonDocument doc = QJsonDocument::fromJson(body);
            if (!doc.isObject())
                return send(h, 422,
                            detail(QJsonArray{QJsonObject{{"type", "dict_type"},
                                                          {"loc", QJsonArray{"body"}},
                                                          {"msg", "Input should be a valid dictionary"},
                                                          {"input", QString::fromUtf8(body)}}}));
            int status = 200;
            const QByteArray res = q.setOptions(doc.object(), &status);
            return send(h, status, res);
        }
        if (ep == "progress") {
            if (!get)
                return wrongMethod();
            const QString skip = query.queryItemValue("skip_current_image").toLower();
            return ok(q.progress(skip == "true" || skip == "1"));
        }
        if (ep == "txt2img" || ep == "img2img") {
            if (!post)
                return wrongMethod();
            QJsonObject obj;
            const QJsonArray errors = Validation::check(
                body, ep == "txt2img" ? Validation::Kind::Txt2Img : Validation::Kind::Img2Img, &obj);
            if (!errors.isEmpty())
                return send(h, 422, detail(errors));
            const QJsonObject scripts = obj.value("alwayson_scripts").toObject();
            for (auto it = scripts.begin(); it != scripts.end(); ++it) {
                bool known = false;
                for (const QString &title : alwaysOnScripts())
                    known = known || title.compare(it.key(), Qt::CaseInsensitive) == 0;
                if (!known)
                    return send(h, 422, detail("always on script " + it.key() + " not found"));
            }
            QPointer<SimServer> self(this);
            q.enqueue(
                ep, obj,
                [self, h](int status, const QByteArray &json) {
                    if (self)
                        self->send(h, status, json);
                },
                [h] {
                    if (h->socket)
                        h->socket->abort();
                });
            return;
        }
        if (ep.startsWith("navigator/results/") && q.keepsResults()) { // forge_patches/api-results-by-task
            if (!get)
                return wrongMethod();
            const QByteArray kept = q.keptResult(ep.mid(QStringLiteral("navigator/results/").size()));
            return kept.isEmpty() ? send(h, 404, detail("No result kept for this task")) : send(h, 200, kept);
        }
        if (ep == "png-info") {
            if (!post)
                return wrongMethod();
            QJsonObject obj;
            const QJsonArray errors = Validation::check(body, Validation::Kind::PngInfo, &obj);
            if (!errors.isEmpty())
                return send(h, 422, detail(errors));
            QString b64 = obj.value("image").toString();
            if (b64.startsWith("data:") && b64.contains(','))
                b64 = b64.mid(b64.indexOf(',') + 1);
            const QByteArray raw = QByteArray::fromBase64(b64.toLatin1());
            // A PNG's text chunks are read from its chunk list as PIL's Image.open does, without decoding
            // the pixels; other formats (and PNGs with compressed text) are decoded by Qt.
            QList<QPair<QString, QString>> texts;
            if (!PngWriter::readTexts(raw, &texts)) {
                QImage img;
                if (raw.isEmpty() || !img.loadFromData(raw))
                    return send(h, 500, detail("Invalid encoded image"));
                texts.clear();
                for (const QString &key : img.textKeys())
                    texts.append({key, img.text(key)});
            }
            QString text;
            QJsonObject items;
            for (const auto &[key, value] : texts)
                if (key == "parameters")
                    text = value;
                else
                    items.insert(key, value);
            return ok(QJsonObject{
                {"info", text},
                {"items", items},
                {"parameters", Infotext::parse(text, q.options().value("sd_model_checkpoint").toString(),
                                               q.currentModuleNames())}});
        }
        if (!post && QStringList{"interrupt", "skip", "refresh-checkpoints", "refresh-embeddings",
                                 "refresh-loras", "refresh-vae", "unload-checkpoint", "reload-checkpoint"}
                         .contains(ep))
            return wrongMethod();
        if (ep == "interrupt") {
            q.interrupt();
            return ok(QJsonObject{});
        }
        if (ep == "skip") {
            q.skip();
            return send(h, 200, "null");
        }
        if (ep == "refresh-checkpoints" || ep == "refresh-embeddings" || ep == "refresh-vae") {
            QPointer<SimServer> self(this);
            q.enqueue(
                "refresh", {},
                [self, h](int status, const QByteArray &json) {
                    if (self)
                        self->send(h, status, json);
                },
                [] {});
            return;
        }
        if (ep == "refresh-loras")
            return send(h, 200, "null");
        if (ep == "unload-checkpoint") {
            q.unload();
            return ok(QJsonObject{});
        }
        if (ep == "reload-checkpoint")
            return ok(QJsonObject{});
    }
    if (path == "/internal/progress") {
        if (!post)
            return wrongMethod();
        QJsonObject obj;
        const QJsonArray errors = Validation::check(body, Validation::Kind::Progress, &obj);
        if (!errors.isEmpty())
            return send(h, 422, detail(errors));
        return ok(q.internalProgress(obj.value("id_task"),
                                     int(Validation::integer(obj, "id_live_preview", -1)),
                                     Validation::boolean(obj, "live_preview", true)));
    }
    if (path == "/internal/pending-tasks")
        return get ? ok(q.pendingTasks()) : wrongMethod();

    // Control endpoints for tests and benchmarks; never delayed.
    auto control = [&](const QJsonValue &v) {
        if (h->socket)
            h->responder.write(toJson(v), "application/json", QHttpServerResponder::StatusCode::Ok);
        h->answered = true;
    };
    if (path == "/sim/requests")
        return get ? control(q.requestLog()) : wrongMethod();
    if (path == "/sim/state")
        return get ? control(q.simState()) : wrongMethod();
    if (path == "/sim/reset") {
        if (!post)
            return wrongMethod();
        q.resetLog();
        return control(QJsonObject{});
    }
    if (path == "/sim/speed") { // {"step_ms": N}: the time per sampling step of later generations
        if (post)
            q.setStepMs(QJsonDocument::fromJson(body).object().value("step_ms").toInt(q.stepMs()));
        return get || post ? control(QJsonObject{{"step_ms", q.stepMs()}}) : wrongMethod();
    }
    if (path == "/sim/faults") {
        if (get)
            return control(faultsJson());
        if (!post)
            return wrongMethod();
        const QJsonObject f = QJsonDocument::fromJson(body).object();
        if (f.contains("fail_next"))
            q.failNext = f.value("fail_next").toInt();
        if (f.contains("fail_status"))
            q.failStatus = f.value("fail_status").toInt(500);
        if (f.contains("drop_next"))
            q.dropNext = f.value("drop_next").toInt();
        if (f.contains("delay_ms"))
            m_delayMs = f.value("delay_ms").toInt();
        const bool restart = f.value("restart").toBool();
        control(faultsJson());
        if (restart) {
            qCInfo(lcServer) << "simulated restart";
            q.restart();
            // A restarted process has no connections: close every one but this control request's.
            for (QTcpSocket *s : m_tcp->findChildren<QTcpSocket *>())
                if (s != h->socket)
                    s->abort();
            refuse(f.value("restart_ms").toInt(1000));
        } else if (f.contains("refuse_ms")) {
            refuse(f.value("refuse_ms").toInt());
        }
        return;
    }
    send(h, 404, detail("Not Found"));
}

} // namespace forgesim
