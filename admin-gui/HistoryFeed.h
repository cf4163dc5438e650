#pragma once
// The calls behind the History tab: GET /api/admin/history with the tab's filter and page into a
// HistoryModel, thumbnails of the finished images (GET /api/images/:id, decoded and scaled off the GUI
// thread), the first page reloaded when a job ends, and one image at full size with its png-info.
#include "admin-gui/ApiClient.h"

#include "admin-gui/ListFeed.h"
#include <QDate>
#include <QImage>

#include <QObject>
#include <QTimer>

#include <functional>

namespace nav::admin {

class HistoryModel;
class ServerConnection;

struct HistoryQuery {
    QString user;    // owner id
    QString status;  // finished | failed | interrupted, or empty for all
    QString backend; // host:port, or empty
    QDate from;      // first day (UTC) shown, invalid: no bound
    QDate to;        // last day (UTC) shown, invalid: no bound
    int page = 1;
    int limit = 50;

    // The path and query string of GET /api/admin/history for this filter and page.
    QString path() const;
};

class HistoryFeed : public ListFeed {
    Q_OBJECT
public:
    static constexpr int kThumbnailSize = 64;

    HistoryFeed(ServerConnection *connection, HistoryModel *model, QObject *parent = nullptr);

    void setQuery(const HistoryQuery &query);
    HistoryQuery query() const { return m_query; }
    void reload();
    void handleEvent(const QString &name, const QJsonObject &payload);
    // The finished image and the png-info text ("" when the server has none).
    void
    loadFullImage(const QString &jobId, QObject *context,
                  std::function<void(const QImage &image, const QString &info, const QString &error)> done);

private:
    void fetchThumbnails();

    ServerConnection *m_connection;
    HistoryModel *m_model;
    HistoryQuery m_query;
    QTimer m_debounce;
    quint64 m_generation = 0; // answers to an older query are dropped
};

} // namespace nav::admin
