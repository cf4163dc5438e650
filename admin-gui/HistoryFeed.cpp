#include "admin-gui/HistoryFeed.h"

#include "admin-gui/HistoryModel.h"
#include "admin-gui/ServerConnection.h"

#include <QFuture>
#include <QJsonObject>
#include <QUrlQuery>
#include <QtConcurrent>

namespace nav::admin {

QString HistoryQuery::path() const {
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("page"), QString::number(page));
    q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    if (!user.isEmpty())
        q.addQueryItem(QStringLiteral("user"), user);
    if (!status.isEmpty())
        q.addQueryItem(QStringLiteral("status"), status);
    if (!backend.isEmpty())
        q.addQueryItem(QStringLiteral("backend"), backend);
    if (from.isValid())
        q.addQueryItem(QStringLiteral("since"), from.toString(Qt::ISODate));
    if (to.isValid()) // through the whole last day
        q.addQueryItem(QStringLiteral("until"), to.addDays(1).toString(Qt::ISODate));
    return QStringLiteral("/api/admin/history?") + q.toString(QUrl::FullyEncoded);
}

HistoryFeed::HistoryFeed(ServerConnection *connection, HistoryModel *model, QObject *parent)
    : ListFeed(parent), m_connection(connection), m_model(model) {
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(1000);
    connect(&m_debounce, &QTimer::timeout, this, &HistoryFeed::reload);
    connect(connection, &ServerConnection::connected, this, &HistoryFeed::reload);
}

void HistoryFeed::setQuery(const HistoryQuery &query) {
    m_query = query;
    reload();
}

void HistoryFeed::reload() {
    const quint64 generation = ++m_generation;
    m_connection->api()->get(m_query.path(), this, [this, generation](const ApiReply &reply) {
        if (generation != m_generation)
            return;
        if (settle(reply, routeMissing(reply),
                   QStringLiteral(
                       "This server keeps no job history (GET /api/admin/history); update Navigator."),
                   QStringLiteral("/api/admin/history"), [&] { return m_model->setPage(reply.object()); }))
            fetchThumbnails();
    });
}

void HistoryFeed::handleEvent(const QString &name, const QJsonObject &) {
    // New jobs end up on the first page; later pages stay still while the admin reads them.
    static const QStringList ended{"task-finished", "task-failed", "task-interrupted"};
    if (ended.contains(name) && m_query.page == 1)
        m_debounce.start();
}

void HistoryFeed::fetchThumbnails() {
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QString id = m_model->index(row, 0).data(HistoryModel::JobIdRole).toString();
        if (m_model->index(row, 0).data(HistoryModel::StatusRole).toString() != QLatin1String("finished") ||
            m_model->hasThumbnail(id))
            continue;
        m_connection->api()->get(QStringLiteral("/api/images/%1").arg(id), this,
                                 [this, id](const ApiReply &reply) {
                                     if (!reply.ok())
                                         return;
                                     QtConcurrent::run([bytes = reply.body] {
                                         QImage image;
                                         if (!image.loadFromData(bytes))
                                             return QImage();
                                         return image.scaled(kThumbnailSize, kThumbnailSize,
                                                             Qt::KeepAspectRatio, Qt::SmoothTransformation);
                                     }).then(this, [this, id](const QImage &thumbnail) {
                                         if (!thumbnail.isNull())
                                             m_model->setThumbnail(id, thumbnail);
                                     });
                                 });
    }
}

void HistoryFeed::loadFullImage(
    const QString &jobId, QObject *context,
    std::function<void(const QImage &image, const QString &info, const QString &error)> done) {
    ApiClient *api = m_connection->api();
    api->get(QStringLiteral("/api/images/%1").arg(jobId), context,
             [api, jobId, context, done](const ApiReply &reply) {
                 if (!reply.ok())
                     return done({}, {}, reply.error.message);
                 // A full-size PNG takes a while to decode: off the GUI thread.
                 QtConcurrent::run([bytes = reply.body] {
                     QImage image;
                     image.loadFromData(bytes);
                     return image;
                 }).then(context, [api, jobId, context, done](const QImage &image) {
                     if (image.isNull())
                         return done({}, {},
                                     QStringLiteral("the server's image %1 is not a picture").arg(jobId));
                     api->get(QStringLiteral("/api/images/%1/info").arg(jobId), context,
                              [image, done](const ApiReply &info) {
                                  done(image,
                                       info.ok() ? info.object().value(QStringLiteral("info")).toString()
                                                 : QString(),
                                       {});
                              });
                 });
             });
}

} // namespace nav::admin
