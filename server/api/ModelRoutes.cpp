#include "server/api/ModelRoutes.h"

#include "server/api/BackendError.h"
#include "server/api/QueryBoolean.h"

#include <QElapsedTimer>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcModels, "navigator.models")

namespace nav::api {

namespace {

// Discord's auto-complete shows at most 25 choices; the bot asks without ?all.
constexpr int kSamplersWithoutAll = 24;

using Fetch = void (forge::ForgeCatalog::*)(forge::ListCallback);

void refreshAndAnswer(forge::ForgeCatalog &catalog, store::ModelRepository &models,
                      const common::Broadcast &broadcast, http::Responder res);
void registerLookupRoutes(http::HttpServer &server, forge::ForgeCatalog &catalog);

// A route that answers one catalog list, after `shape` (which may drop or trim entries).
http::Handler listRoute(forge::ForgeCatalog &catalog, Fetch fetch,
                        std::function<QJsonArray(const http::Request &, QJsonArray)> shape = {}) {
    return [&catalog, fetch, shape](const http::Request &req, http::Responder res) {
        (catalog.*fetch)(
            [req, res, shape](const QJsonArray &list, const std::optional<forge::ForgeError> &error) mutable {
                if (error)
                    return answerBackendError(res, *error);
                res.json(200, shape ? shape(req, list) : list);
            });
    };
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
        models.all()
            .then(&catalog,
                  [checkpoints, res](const QList<store::KnownModel> &rows) mutable {
                      res.json(200, QJsonObject{{"models", mergeModels(checkpoints, rows)}});
                  })
            .onFailed(&catalog, [res](const store::DbError &e) mutable {
                qCWarning(lcModels).noquote() << "reading the models table failed:" << e.message();
                res.error(500, QStringLiteral("The model list could not be read"),
                          QStringLiteral("DATABASE_ERROR"));
            });
    });
}

} // namespace

void registerModelRoutes(http::HttpServer &server, auth::AuthService &auth, forge::ForgeCatalog &catalog,
                         store::ModelRepository &models, common::Broadcast broadcast,
                         qint64 refreshIntervalMs) {
    auto lastRefresh = std::make_shared<QElapsedTimer>();
    server.get("/api/models", [&auth, &catalog, &models, broadcast, lastRefresh,
                               refreshIntervalMs](const http::Request &req, http::Responder res) {
        if (!queryBoolean(req, QStringLiteral("refresh")))
            return answerModels(catalog, models, res);
        auth.identify(req, [&catalog, &models, broadcast, lastRefresh, refreshIntervalMs,
                            res](const std::optional<auth::Caller> &caller) mutable {
            if (!caller || caller->role < auth::RoleArtificer) {
                qCDebug(lcModels) << "refresh=true without role 2 or more: answering from the cache";
                return answerModels(catalog, models, res);
            }
            if (lastRefresh->isValid() && lastRefresh->elapsed() < refreshIntervalMs) {
                qCDebug(lcModels) << "refresh=true within MODEL_REFRESH_INTERVAL: answering from the cache";
                return answerModels(catalog, models, res);
            }
            lastRefresh->start();
            refreshAndAnswer(catalog, models, broadcast, res);
        });
    });
    registerLookupRoutes(server, catalog);
}

namespace {

void refreshAndAnswer(forge::ForgeCatalog &catalog, store::ModelRepository &models,
                      const common::Broadcast &broadcast, http::Responder res) {
    catalog.refresh(
        {QStringLiteral("refresh-checkpoints")},
        [&catalog, &models, broadcast, res](const std::optional<forge::ForgeError> &error) mutable {
            if (error)
                return answerBackendError(res, *error);
            broadcast(QStringLiteral("models-refreshed"),
                      QJsonObject{{"message", "Models have been refreshed!"}});
            answerModels(catalog, models, res);
        });
}

void registerLookupRoutes(http::HttpServer &server, forge::ForgeCatalog &catalog) {
    server.get("/api/samplers", listRoute(catalog, &forge::ForgeCatalog::samplers,
                                          [](const http::Request &req, QJsonArray list) {
                                              // Like the original, the presence of `all` is enough.
                                              if (!req.queryValue("all"))
                                                  while (list.size() > kSamplersWithoutAll)
                                                      list.removeLast();
                                              return list;
                                          }));
    server.get("/api/schedulers", listRoute(catalog, &forge::ForgeCatalog::schedulers));
    server.get("/api/upscalers", listRoute(catalog, &forge::ForgeCatalog::upscalers,
                                           [](const http::Request &, const QJsonArray &list) {
                                               QJsonArray kept;
                                               for (const QJsonValue &upscaler : list)
                                                   if (upscaler.toObject().value("name").toString() != "None")
                                                       kept.append(upscaler);
                                               return kept;
                                           }));
    server.get("/api/modules", listRoute(catalog, &forge::ForgeCatalog::modules));
    server.get("/api/models/embeddings", listRoute(catalog, &forge::ForgeCatalog::embeddingNames));
}

} // namespace

} // namespace nav::api
