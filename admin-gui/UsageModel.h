#pragma once
// GET /api/admin/usage as a table (one row per user: jobs, failures, GPU time, last seen) plus the hourly
// series the Usage tab charts, and GET /api/admin/activity's per-minute points for the Status charts.
// Needs no widgets.
#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace nav::admin {

struct HourPoint {
    QDateTime hour; // UTC
    int jobs = 0;
    int failed = 0;
};

struct ActivityPoint {
    QDateTime minute; // UTC
    int queued = 0;
    int running = 0;
    int submitted = 0;
    int ended = 0; // finished + failed + interrupted
    int failed = 0;
};

// The points of an /api/admin/activity answer, oldest first; empty if it is not one.
QList<ActivityPoint> parseActivity(const QJsonObject &answer);

class UsageModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ColUser,
        ColJobs,
        ColFinished,
        ColFailed,
        ColInterrupted,
        ColGpu,
        ColLastSeen,
        ColumnCount
    };
    enum Role { OwnerIdRole = Qt::UserRole + 80, SortRole };

    explicit UsageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A usage answer; false (contents kept) when it is not one.
    bool setReport(const QJsonObject &answer);
    void clear();

    QString window() const { return m_window; }
    QJsonObject totals() const { return m_totals; }
    QList<HourPoint> perHour() const { return m_hours; }
    int rowOf(const QString &ownerId) const;
    QJsonObject user(const QString &ownerId) const;

    // "2 h 05 min", "3 min 20 s", "45 s".
    static QString formatSeconds(qint64 seconds);

private:
    QList<QJsonObject> m_users;
    QList<HourPoint> m_hours;
    QJsonObject m_totals;
    QString m_window;
};

} // namespace nav::admin
