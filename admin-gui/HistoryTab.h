#pragma once
// The History tab: ended jobs from the server, newest first, a page at a time, filtered by user, status,
// backend and dates; double-click opens the image at full size with its png-info.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QDialog;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace nav::admin {

class HistoryFeed;
class HistoryModel;
struct HistoryQuery;

class HistoryTab : public QWidget {
    Q_OBJECT
public:
    HistoryTab(HistoryModel *model, HistoryFeed *feed, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    // Sets the filter widgets and reloads page 1 (as pressing Apply does).
    void applyFilter(const QString &user, const QString &status, const QString &backend = {});
    void showPage(int page);
    // Opens the full image of this job; returns the dialog (also shown), owned by the tab.
    QDialog *openImage(const QString &jobId);
    QString pageText() const;

private:
    HistoryQuery queryFromWidgets(int page) const;
    void updatePager();

    HistoryModel *m_model;
    HistoryFeed *m_feed;
    QLineEdit *m_user;
    QComboBox *m_status;
    QLineEdit *m_backend;
    QCheckBox *m_useDates;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QTableView *m_table;
    QPushButton *m_previous;
    QPushButton *m_next;
    QLabel *m_page;
    QLabel *m_message;
};

} // namespace nav::admin
