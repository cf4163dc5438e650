#pragma once
// The Queue tab: the live job table (progress bar and ETA per row, position in the real dispatch order), the
// actions on the selection (cancel/remove several at once, promote a waiting job to the front, copy id,
// copy prompt), a detail pane with the full prompt, and the preview pane beside it.
#include <QWidget>

class QLabel;
class QPlainTextEdit;
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
    // The first selected job (what the preview and the detail pane show), and all of them.
    QString selectedJobId() const;
    QStringList selectedJobIds() const;
    bool selectJob(const QString &jobId);
    bool selectJobs(const QStringList &jobIds);
    // Cancels (removes or interrupts) every selected active job; `confirm` false skips the question (tests,
    // scripted use).
    void cancelSelected(bool confirm = true);
    // Moves the selected waiting job to the front of the dispatch order.
    void promoteSelected();
    QString detailText() const;
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
    QPushButton *m_promote;
    QPushButton *m_copyId;
    QPushButton *m_copyPrompt;
    QLabel *m_message;
    QPlainTextEdit *m_detail;
};

} // namespace nav::admin
