#include "server/api/UserRoutes.h"

#include "server/api/DbReply.h"
#include "server/api/Pagination.h"
#include "server/store/CategoryRepository.h"
#include "server/store/ImageRepository.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace nav::api {

namespace {

constexpr int kDefaultPageSize = 10;
constexpr int kMaxPageSize = 100;
constexpr int kMaxName64 = 255; // image_categories.name64 is VARCHAR(255)

QJsonValue nullable(const std::optional<qint64> &value) {
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonValue isoTime(const QDateTime &time) {
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs))
                          : QJsonValue(QJsonValue::Null);
}

// A category id from the query string: a positive whole number, anything else ("0", "null", "abc") is
// "no filter", as in the original.
std::optional<qint64> categoryFilter(const std::optional<QString> &text) {
    if (!text)
        return std::nullopt;
    bool ok = false;
    const qint64 id = text->trimmed().toLongLong(&ok);
    return ok && id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

// A category id in the path: a positive whole number, otherwise nullopt (answer 400).
std::optional<qint64> pathId(const QString &text) {
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    return ok && id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

// categoryId of PUT image category: a whole JSON number >= 0, or a numeric string as the original's Number()
// allowed. nullopt: invalid (null and missing included).
std::optional<qint64> categoryIdValue(const QJsonValue &value) {
    if (value.isString()) {
        bool ok = false;
        const qint64 id = value.toString().trimmed().toLongLong(&ok);
        return ok && id >= 0 ? std::optional<qint64>(id) : std::nullopt;
    }
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < 0 || number > 9007199254740991.0 || number != std::floor(number))
        return std::nullopt;
    return static_cast<qint64>(number);
}

// {name} of POST/PATCH category as name64, or an error answered on `res`.
std::optional<QString> categoryName64(const http::Request &req, http::Responder &res) {
    const auto body = req.jsonBody();
    if (!body) {
        res.error(400, QStringLiteral("The body must be a JSON object"), QStringLiteral("INVALID_JSON"));
        return std::nullopt;
    }
    const QJsonValue name = body->value(QStringLiteral("name"));
    if (!name.isString() || name.toString().trimmed().isEmpty()) {
        res.error(400, QStringLiteral("name is required"), QStringLiteral("MISSING_FIELDS"));
        return std::nullopt;
    }
    const QString name64 = QString::fromLatin1(name.toString().toUtf8().toBase64());
    if (name64.size() > kMaxName64) {
        res.error(400, QStringLiteral("Category name is too long"), QStringLiteral("NAME_TOO_LONG"));
        return std::nullopt;
    }
    return name64;
}

void notFound(http::Responder &res, const QString &what) {
    res.error(404, what + QStringLiteral(" not found"), QStringLiteral("NOT_FOUND"));
}

} // namespace

void getMe(Services &, const http::Request &, http::Responder res, const auth::Caller &caller) {
    QJsonObject user{{"discord_id", caller.discordId}, {"role", caller.role}};
    if (caller.issuedAt)
        user.insert("iat", *caller.issuedAt);
    if (caller.expiresAt)
        user.insert("exp", *caller.expiresAt);
    res.json(200, QJsonObject{{"user", user}});
}

void listMyImages(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const PageRequest page = parsePageRequest(req, kDefaultPageSize, kMaxPageSize);
    const auto category = categoryFilter(req.queryValue(QStringLiteral("category_id")));
    whenReady(s.images->listByOwner(caller.discordId, category, page.offset(), page.limit), res,
              [res, page](const store::ImagePage &result) mutable {
                  QJsonArray list;
                  for (const auto &image : result.images)
                      list.append(QJsonObject{{"id", image.id}, {"category_id", nullable(image.categoryId)}});
                  QJsonObject body = pageFields(result.total, page);
                  body.insert("images", list);
                  res.json(200, body);
              });
}

void deleteMyImage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    whenReady(s.images->removeOwned(req.param("id"), caller.discordId), res, [res](bool deleted) mutable {
        if (deleted)
            res.noContent();
        else
            notFound(res, QStringLiteral("Image"));
    });
}

void getImageMeta(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    whenReady(s.images->meta(req.param("id")), res,
              [res, owner = caller.discordId](const std::optional<store::ImageMeta> &meta) mutable {
                  if (!meta)
                      return notFound(res, QStringLiteral("Image"));
                  if (meta->ownerId != owner)
                      return res.error(403, QStringLiteral("You do not own this image"),
                                       QStringLiteral("NOT_OWNER"));
                  res.json(200,
                           QJsonObject{
                               {"category_id", nullable(meta->categoryId)},
                               {"created_at", isoTime(meta->createdAt)},
                               {"message_id", meta->messageId ? QJsonValue(*meta->messageId) : QJsonValue()},
                               {"owner_id", meta->ownerId},
                           });
              });
}

void setImageCategory(Services &s, const http::Request &req, http::Responder res,
                      const auth::Caller &caller) {
    const auto body = req.jsonBody();
    if (!body)
        return res.error(400, QStringLiteral("The body must be a JSON object"),
                         QStringLiteral("INVALID_JSON"));
    // A JSON number, or a numeric string as the original's Number() allowed; 0 means "no category".
    const auto categoryId = categoryIdValue(body->value(QStringLiteral("categoryId")));
    if (!categoryId)
        return res.error(400, QStringLiteral("categoryId must be a category id or 0"),
                         QStringLiteral("INVALID_CATEGORY_ID"));
    const auto category = *categoryId == 0 ? std::nullopt : categoryId;
    whenReady(s.images->setCategory(req.param("id"), caller.discordId, category), res,
              [res](store::CategorizeResult result) mutable {
                  switch (result) {
                  case store::CategorizeResult::Done:
                      return res.noContent();
                  case store::CategorizeResult::ImageNotFound:
                      return notFound(res, QStringLiteral("Image"));
                  case store::CategorizeResult::ImageNotOwned:
                      return res.error(403, QStringLiteral("You do not own this image"),
                                       QStringLiteral("NOT_OWNER"));
                  case store::CategorizeResult::CategoryNotOwned:
                      return res.error(403, QStringLiteral("Category does not exist or you do not own it"),
                                       QStringLiteral("NOT_OWNER"));
                  }
              });
}

void listCategories(Services &s, const http::Request &, http::Responder res, const auth::Caller &caller) {
    whenReady(s.categories->listByOwner(caller.discordId), res,
              [res](const QList<store::CategoryRecord> &list) mutable {
                  QJsonArray out;
                  for (const auto &category : list) {
                      out.append(QJsonObject{
                          {"id", category.id},
                          {"owner_id", category.ownerId},
                          {"name", QString::fromUtf8(QByteArray::fromBase64(category.name64.toLatin1()))},
                      });
                  }
                  res.json(200, out);
              });
}

void createCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const auto name64 = categoryName64(req, res);
    if (!name64)
        return;
    whenReady(s.categories->create(caller.discordId, *name64), res, [res](qint64 id) mutable {
        res.json(200, QJsonObject{{"id", id}});
    });
}

void renameCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const auto id = pathId(req.param("id"));
    if (!id)
        return res.error(400, QStringLiteral("Category ID must be a number"),
                         QStringLiteral("INVALID_CATEGORY_ID"));
    const auto name64 = categoryName64(req, res);
    if (!name64)
        return;
    whenReady(s.categories->rename(*id, caller.discordId, *name64), res, [res](bool renamed) mutable {
        if (renamed)
            res.noContent();
        else
            notFound(res, QStringLiteral("Category"));
    });
}

void deleteCategory(Services &s, const http::Request &req, http::Responder res, const auth::Caller &caller) {
    const auto id = pathId(req.param("id"));
    if (!id)
        return res.error(400, QStringLiteral("Category ID must be a number"),
                         QStringLiteral("INVALID_CATEGORY_ID"));
    whenReady(s.categories->remove(*id, caller.discordId), res, [res](bool removed) mutable {
        if (removed)
            res.noContent();
        else
            notFound(res, QStringLiteral("Category"));
    });
}

} // namespace nav::api
