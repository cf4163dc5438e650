#pragma once
// The Usage tab: per user over 24 h, 7 d or 30 d (jobs, failures, GPU time, last seen), sortable, and a
// chart of jobs (and failures) per hour, from GET /api/admin/usage.
#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QTableView;

namespace nav::admin {

class StatsFeed;
class UsageModel;

class UsageTab : public QWidget {
    Q_OBJECT
public:
    UsageTab(UsageModel *model, StatsFeed *feed, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QChart *chart() const { return m_chart; }
    // "24h", "7d" or "30d": selects it and reloads.
    bool setWindow(const QString &window);
    QString totalsText() const;

private:
    void redraw();

    UsageModel *m_model;
    StatsFeed *m_feed;
    QComboBox *m_window;
    QTableView *m_table;
    QChart *m_chart;
    QChartView *m_chartView;
    QLabel *m_totals;
};

} // namespace nav::admin
