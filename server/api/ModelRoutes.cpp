#include "server/api/ModelRoutes.h"

#include "server/api/BackendError.h"

namespace nav::api {

namespace {

// Discord's auto-complete shows at most 25 choices; the bot asks without ?all.
constexpr int kSamplersWithoutAll = 24;

using Fetch = void (forge::ForgeCatalog::*)(forge::ListCallback);

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

} // namespace

void registerModelRoutes(http::HttpServer &server, forge::ForgeCatalog &catalog) {
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

} // namespace nav::api
