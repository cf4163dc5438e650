#pragma once
// Counters and histograms in the Prometheus data model, with labels, safe to update from any thread, and the
// text exposition format (version 0.0.4) that GET /metrics answers. Families are created once (usually as
// function-local statics, see ServiceMetrics.h) and live for the whole process; values that are read at
// scrape time (queue length, backend up, RSS) are passed to the renderer as gauge samples instead.
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <vector>

namespace nav::ops {

// A monotonically increasing count, one series per combination of label values.
class CounterFamily {
public:
    CounterFamily(QString name, QString help, QStringList labelNames = {});
    // `labelValues` are given in the order of the label names.
    void inc(const QStringList &labelValues = {}, double by = 1);
    double value(const QStringList &labelValues = {}) const;
    void render(QByteArray &out) const;

private:
    QString m_name, m_help;
    QStringList m_labels;
    mutable QMutex m_mutex;
    QHash<QStringList, double> m_values;
};

// Observations counted into cumulative buckets (upper bounds, in the unit of the metric, usually seconds).
class HistogramFamily {
public:
    HistogramFamily(QString name, QString help, std::vector<double> bounds, QStringList labelNames = {});
    void observe(double value, const QStringList &labelValues = {});
    quint64 count(const QStringList &labelValues = {}) const;
    void render(QByteArray &out) const;

private:
    struct Series {
        std::vector<quint64> buckets; // non-cumulative counts per bound; the last entry is +Inf
        double sum = 0;
        quint64 count = 0;
    };
    QString m_name, m_help;
    std::vector<double> m_bounds;
    QStringList m_labels;
    mutable QMutex m_mutex;
    QHash<QStringList, Series> m_series;
};

// A gauge read at scrape time: its samples are computed by the caller.
struct GaugeSample {
    QStringList labelValues;
    double value = 0;
};
void renderGauge(QByteArray &out, const QString &name, const QString &help, const QStringList &labelNames,
                 const QList<GaugeSample> &samples);

// Helpers of the text format, exposed for tests.
QByteArray formatValue(double value);
QByteArray formatLabels(const QStringList &names, const QStringList &values);

} // namespace nav::ops
