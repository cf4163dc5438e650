#pragma once
// The live queue as a table: one row per job, filled from GET /api/admin/queue snapshots and kept current
// between snapshots by socket.io job events. Rows keep their identity across snapshots so a selection
// survives refreshes. Needs no widgets (tested headless).
#include "admin-gui/QueueJob.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonArray>
#include <QList>

#include <optional>

namespace nav::admin {

class QueueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ColId,
        ColOwner,
        ColModel,
        ColPrompt,
        ColSize,
        ColSteps,
        ColStatus,
        ColPosition,
        ColProgress,
        ColEta,
        ColSubmitted,
        ColStarted,
        ColumnCount
    };
    enum Role {
        JobIdRole = Qt::UserRole + 1,
        ProgressRole, // 0..100, or -1 when the row should show no bar
        ProgressTextRole,
        SortKeyRole, // running first, then queued by position, then finished (newest first)
        StateRole,   // int(QueueJob::State)
        PromptRole,
        ErrorRole,
        OwnerIdRole,
    };

    explicit QueueModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the contents with a snapshot (active jobs and recent ones), keeping rows that stay.
    // `requestedAt` is changeCount() when the snapshot was requested: a job an event changed (or removed)
    // after that is newer here than in the snapshot and keeps its row as it is, or stays removed. Without
    // it the snapshot wins for every job.
    void setSnapshot(const QJsonArray &jobs, std::optional<quint64> requestedAt = std::nullopt);
    // How many job changes events (and removeJob) have made so far.
    quint64 changeCount() const { return m_changes; }
    // Applies one socket.io event; returns false when it is not a job event this model understands.
    bool applyEvent(const QString &event, const QJsonObject &payload);
    // Drops a job the server removed (an interrupted queued job).
    void removeJob(const QString &jobId);
    void clear();

    int rowOf(const QString &jobId) const;
    std::optional<QueueJob> job(const QString &jobId) const;
    const QueueJob &jobAt(int row) const { return m_jobs.at(row); }
    // The running job, or an empty string.
    QString runningJobId() const;
    int activeCount() const;

signals:
    // Any field of this job changed (state, progress, preview step ...).
    void jobUpdated(const QString &jobId);

private:
    void upsert(const QJsonObject &object);
    void noteChange(const QString &jobId) { m_changedAt.insert(jobId, ++m_changes); }
    void touch(int row);
    static qint64 sortKey(const QueueJob &job);

    QList<QueueJob> m_jobs;
    // Owner names seen in snapshots, for jobs that arrive by event (events carry only owner_id).
    QHash<QString, QString> m_ownerNames;
    quint64 m_changes = 0;
    QHash<QString, quint64> m_changedAt; // job id -> changeCount() right after its last change
};

} // namespace nav::admin
