#pragma once
// One page of GET /api/admin/history as a table: ended jobs, newest first, with a thumbnail per finished
// image (set once fetched), duration, backend, status and the failure reason. Needs no widgets.
#include "shared/api/HistoryJob.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QImage>
#include <QJsonObject>
#include <QList>

namespace nav::admin {

class HistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ColImage,
        ColEnded,
        ColOwner,
        ColModel,
        ColSize,
        ColDuration,
        ColBackend,
        ColStatus,
        ColReason,
        ColPrompt,
        ColumnCount
    };
    enum Role { JobIdRole = Qt::UserRole + 60, StatusRole, OwnerIdRole, PromptRole };

    explicit HistoryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A history page ({count, totalPages, currentPage, jobs}); false (contents kept) if it is not one.
    bool setPage(const QJsonObject &page);
    void clear();
    void setThumbnail(const QString &jobId, const QImage &image);
    bool hasThumbnail(const QString &jobId) const { return m_thumbnails.contains(jobId); }

    int rowOf(const QString &jobId) const;
    // The row as the server sent it (the details pane shows every field).
    QJsonObject job(int row) const { return m_jobs.value(row); }
    QJsonObject job(const QString &jobId) const { return job(rowOf(jobId)); }
    qint64 total() const { return m_total; }
    int page() const { return m_page; }
    int pageCount() const { return m_pageCount; }

    // "1 min 05 s", "42 s"; empty for null.
    static QString formatDuration(const QJsonValue &seconds);
    static QString reasonText(const QJsonObject &job);
    static QString reasonText(const api::HistoryJob &job);

private:
    QList<QJsonObject> m_jobs;     // as sent
    QList<api::HistoryJob> m_rows; // the same rows read through the shared shape

    QHash<QString, QImage> m_thumbnails;
    qint64 m_total = 0;
    int m_page = 1;
    int m_pageCount = 0;
};

} // namespace nav::admin
