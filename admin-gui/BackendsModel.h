#pragma once
// The Forge backends as a table: one row per backend from GET /api/admin/backends, kept current by the
// `backend-state` admin event (the same object). The running job's progress comes from the QueueModel, which
// the socket's task-progress events keep current. Needs no widgets (tested headless).
#include "admin-gui/QueueModel.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QPointer>

namespace nav::admin {

class BackendsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ColName,
        ColState,
        ColCheckpoint,
        ColJob,
        ColProgress,
        ColDone,
        ColFailed,
        ColPatch,
        ColError,
        ColumnCount
    };
    enum Role {
        // The same roles as QueueModel's, so the ProgressDelegate draws both.
        ProgressRole = QueueModel::ProgressRole,
        ProgressTextRole = QueueModel::ProgressTextRole,
        NameRole = Qt::UserRole + 40,
        StateRole,      // "up" | "down" | "paused" | "draining"
        RunningJobRole, // job id or empty
    };

    explicit BackendsModel(const QueueModel *queue = nullptr, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // {"backends": [...]}; false (contents kept) when the answer has no list.
    bool setList(const QJsonObject &answer);
    // A `backend-state` event; false for other events or a payload without a name.
    bool applyEvent(const QString &event, const QJsonObject &payload);
    void clear();

    int rowOf(const QString &name) const;
    QJsonObject backend(const QString &name) const;
    QString state(const QString &name) const;
    QStringList names() const;
    // The backend running this job, or empty.
    QString backendRunning(const QString &jobId) const;

    static QString patchLabel(const QJsonValue &patch);

signals:
    // A backend's state changed (from an event or a reload); `previous` is empty for a new backend.
    void stateChanged(const QString &name, const QString &previous, const QString &state);

private:
    void upsert(const QJsonObject &backend);
    void onJobUpdated(const QString &jobId);

    QPointer<const QueueModel> m_queue;
    QList<QJsonObject> m_backends;
};

} // namespace nav::admin
