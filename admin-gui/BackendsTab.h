#pragma once
// The Backends tab: one row per Forge backend (state, loaded checkpoint, running job with a progress bar,
// done and failed counts, Forge patch, last error), live from `backend-state` events, with Pause, Resume and
// Drain for the selected backend and the running job's live preview beside the table.
#include <QHash>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace nav::admin {

class BackendsFeed;
class BackendsModel;
class PreviewPane;
class QueueModel;
class ServerConnection;

class BackendsTab : public QWidget {
    Q_OBJECT
public:
    BackendsTab(ServerConnection *connection, BackendsModel *model, BackendsFeed *feed, QueueModel *queue,
                QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    PreviewPane *preview() const { return m_preview; }
    QString selectedBackend() const;
    bool selectBackend(const QString &name);
    // "pause", "resume" or "drain" on the selected backend.
    void control(const QString &action);
    QString message() const;

private:
    void updateActions();

    BackendsModel *m_model;
    BackendsFeed *m_feed;
    QTableView *m_table;
    PreviewPane *m_preview;
    QPushButton *m_pause;
    QPushButton *m_resume;
    QPushButton *m_drain;
    QLabel *m_message;
    QHash<QString, QString> m_lastJob; // backend name -> the job it ran last
};

} // namespace nav::admin
