#include "server/api/ModelRoutes.h"

#include "server/api/BackendError.h"
#include "server/api/DbReply.h"
#include "server/api/QueryBoolean.h"
#include "server/api/RefreshThrottle.h"
#include "server/auth/AuthService.h"
#include "server/forge/ForgeCatalog.h"
#include "server/store/ModelRepository.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcModels, "navigator.models")

namespace nav::api {

namespace {

// Discord's auto-complete shows at most 25 choices; the bot asks without ?all.
constexpr int kSamplersWithoutAll = 24;

using Fetch = void (forge::ForgeCatalog::*)(forge::ListCallback);

// Answers one catalog list, after `shape` (which may drop or trim entries).
void answerList(forge::ForgeCatalog &catalog, Fetch fetch, const http::Request &req, http::Responder res,
                std::function<QJsonArray(const http::Request &, QJsonArray)> shape = {}) {
    (catalog.*
     fetch)([req, res, shape](const QJsonArray &list, const std::optional<forge::ForgeError> &error) mutable {
        if (error)
            return answerBackendError(res, *error);
        res.json(200, shape ? shape(req, list) : list);
    });
}

// Forge's checkpoints, each merged with its `models` row: known ones get known:true plus the row (id,
// model_name, friendly_name, is_restricted as a boolean), the others known:false.
QJsonArray mergeModels(const QJsonArray &checkpoints, const QList<store::KnownModel> &rows) {
    QHash<QString, store::KnownModel> byName;
    for (const store::KnownModel &row : rows)
        byName.insert(row.modelName, row);
    QJsonArray merged;
    for (const QJsonValue &value : checkpoints) {
        QJsonObject model = value.toObject();
        const auto row = byName.constFind(model.value("model_name").toString());
        model.insert("known", row != byName.constEnd());
        if (row != byName.constEnd()) {
            model.insert("id", row->id);
            model.insert("model_name", row->modelName);
            model.insert("friendly_name", row->friendlyName ? QJsonValue(*row->friendlyName) : QJsonValue());
            model.insert("is_restricted", row->isRestricted);
        }
        merged.append(model);
    }
    return merged;
}

void answerModels(forge::ForgeCatalog &catalog, store::ModelRepository &models, http::Responder res) {
    catalog.checkpoints([&catalog, &models, res](const QJsonArray &checkpoints,
                                                 const std::optional<forge::ForgeError> &error) mutable {
        if (error)
            return answerBackendError(res, *error);
        whenReady(models.all(), res, [checkpoints, res](const QList<store::KnownModel> &rows) mutable {
            res.json(200, QJsonObject{{"models", mergeModels(checkpoints, rows)}});
        });
    });
}

} // namespace

void listModels(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    forge::ForgeCatalog &catalog = *s.catalog;
    store::ModelRepository &models = *s.models;
    if (!queryBoolean(req, QStringLiteral("refresh")))
        return answerModels(catalog, models, res);
    s.auth->identify(req, [&catalog, &models, throttle = s.modelRefresh, broadcast = s.broadcast,
                           res](const std::optional<auth::Caller> &caller) mutable {
        if (!caller || caller->role < auth::RoleArtificer) {
            qCDebug(lcModels) << "refresh=true without role 2 or more: answering from the cache";
            return answerModels(catalog, models, res);
        }
        if (!throttle->allow()) {
            qCDebug(lcModels) << "refresh=true within MODEL_REFRESH_INTERVAL: answering from the cache";
            return answerModels(catalog, models, res);
        }
        catalog.refresh(
            {QStringLiteral("refresh-checkpoints")},
            [&catalog, &models, broadcast, res](const std::optional<forge::ForgeError> &error) mutable {
                if (error)
                    return answerBackendError(res, *error);
                broadcast(QStringLiteral("models-refreshed"),
                          QJsonObject{{"message", "Models have been refreshed!"}});
                answerModels(catalog, models, res);
            });
    });
}

void listSamplers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerList(*s.catalog, &forge::ForgeCatalog::samplers, req, res,
               [](const http::Request &req, QJsonArray list) {
                   // Like the original, the presence of `all` is enough.
                   if (!req.queryValue("all"))
                       while (list.size() > kSamplersWithoutAll)
                           list.removeLast();
                   return list;
               });
}

void listSchedulers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerList(*s.catalog, &forge::ForgeCatalog::schedulers, req, res);
}

void listUpscalers(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerList(*s.catalog, &forge::ForgeCatalog::upscalers, req, res,
               [](const http::Request &, const QJsonArray &list) {
                   QJsonArray kept;
                   for (const QJsonValue &upscaler : list)
                       if (upscaler.toObject().value("name").toString() != "None")
                           kept.append(upscaler);
                   return kept;
               });
}

void listModules(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerList(*s.catalog, &forge::ForgeCatalog::modules, req, res);
}

void listEmbeddings(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    answerList(*s.catalog, &forge::ForgeCatalog::embeddingNames, req, res);
}

} // namespace nav::api
