#include "server/api/ImageRoutes.h"

#include "server/api/DbReply.h"
#include "server/forge/ForgeClient.h"
#include "server/queue/JobQueue.h"
#include "server/store/JobRepository.h"

#include <QJsonDocument>

namespace nav::api {

namespace {

QString imageId(const http::Request &req) {
    QString id = req.param("jobId");
    if (id.endsWith(QStringLiteral(".png")))
        id.chop(4);
    return id;
}

void notFound(http::Responder &res, const QString &what) {
    res.error(404, what, QStringLiteral("NOT_FOUND"));
}

QJsonObject withOwner(QJsonObject info, const QString &ownerId) {
    QJsonObject parameters = info.value("parameters").toObject();
    parameters.insert("owner_id", ownerId);
    info.insert("parameters", parameters);
    return info;
}

// 200 with the PNG, or 304 when the client already has this ETag (the bytes are not touched).
void answerImage(http::Responder &res, const store::CachedImage &image, const QByteArray &ifNoneMatch) {
    const http::HeaderList headers{{"ETag", image.etag},
                                   {"Cache-Control", "public, max-age=31536000, immutable"}};
    if (!ifNoneMatch.isEmpty() &&
        (ifNoneMatch == image.etag || ifNoneMatch == "*" || ifNoneMatch.contains(image.etag)))
        res.send(304, {}, {}, headers);
    else
        res.send(200, image.png, "image/png", headers);
}

} // namespace

void getImage(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString id = imageId(req);
    const QByteArray ifNoneMatch = req.header("if-none-match");
    if (const auto cached = s.jobs->cachedImage(id)) { // the common case: no database, no hashing
        answerImage(res, *cached, ifNoneMatch);
        return;
    }
    whenReady(s.jobs->loadImage(id), res,
              [res, id, ifNoneMatch](std::optional<store::CachedImage> image) mutable {
                  if (!image)
                      notFound(res, QStringLiteral("No finished image %1").arg(id));
                  else
                      answerImage(res, *image, ifNoneMatch);
              });
}

void getImageInfo(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString id = req.param("jobId");
    store::JobRepository *jobs = s.jobs;
    forge::ForgeClient *forge = s.forge;
    whenReady(jobs->image(id), res, [jobs, forge, res, id](std::optional<store::StoredImage> image) mutable {
        if (!image) {
            notFound(res, QStringLiteral("No finished image %1").arg(id));
            return;
        }
        if (!image->infoData64.isEmpty()) {
            const QJsonObject info =
                QJsonDocument::fromJson(QByteArray::fromBase64(image->infoData64)).object();
            res.json(200, withOwner(info, image->ownerId));
            return;
        }
        // Not cached yet (an image from before the cache, or png-info failed at completion): ask
        // Forge once.
        const QString owner = image->ownerId;
        forge->post(
            "/png-info", QJsonObject{{"image", QString::fromLatin1(image->png.toBase64())}},
            [jobs, res, id, owner](const QJsonDocument &body,
                                   const std::optional<forge::ForgeError> &error) mutable {
                if (error) {
                    res.error(502, QStringLiteral("Forge could not read the image: ") + error->message,
                              QStringLiteral("BACKEND_UNAVAILABLE"));
                    return;
                }
                jobs->saveInfo(id, QJsonDocument(body.object()).toJson(QJsonDocument::Compact).toBase64());
                res.json(200, withOwner(body.object(), owner));
            });
    });
}

void getPreview(Services &s, const http::Request &req, http::Responder res, const auth::Caller &) {
    const QString id = imageId(req);
    const http::HeaderList noCache{{"Cache-Control", "no-store"}};
    const QByteArray live = s.queue->latestPreview(id);
    if (!live.isEmpty()) {
        res.send(200, live, "image/png", noCache);
        return;
    }
    whenReady(s.jobs->preview(id), res, [res, id, noCache](std::optional<QByteArray> preview) mutable {
        if (!preview || preview->isEmpty())
            notFound(res, QStringLiteral("No preview for %1 yet").arg(id));
        else
            res.send(200, *preview, "image/png", noCache);
    });
}

} // namespace nav::api
