#pragma once
// The Queue tab: the live job table (progress bar and ETA per row), the actions on the selected job
// (cancel/remove, copy id, copy prompt) and the preview pane beside it.
#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace nav::admin {

class PreviewPane;
class QueueFeed;
class QueueModel;
class ServerConnection;

class QueueTab : public QWidget {
    Q_OBJECT
public:
    QueueTab(ServerConnection *connection, QueueModel *model, QueueFeed *feed, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    PreviewPane *preview() const { return m_preview; }
    QString selectedJobId() const;
    bool selectJob(const QString &jobId);
    // Cancels the selected job; `confirm` false skips the question (tests, scripted use).
    void cancelSelected(bool confirm = true);
    void copySelectedId();
    void copySelectedPrompt();
    QString message() const;

private:
    void updateActions();
    void setMessage(const QString &text);

    ServerConnection *m_connection;
    QueueModel *m_model;
    QueueFeed *m_feed;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    PreviewPane *m_preview;
    QPushButton *m_cancel;
    QPushButton *m_copyId;
    QPushButton *m_copyPrompt;
    QLabel *m_message;
};

} // namespace nav::admin
