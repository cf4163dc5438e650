#include "server/ops/Metrics.h"

#include <QMutexLocker>

#include <algorithm>
#include <cmath>

namespace nav::ops {

namespace {

QByteArray escapeHelp(const QString &help) {
    QString text = help;
    text.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return text.toUtf8();
}

void header(QByteArray &out, const QString &name, const QString &help, const char *type) {
    out += "# HELP " + name.toUtf8() + ' ' + escapeHelp(help) + '\n';
    out += "# TYPE " + name.toUtf8() + ' ' + type + '\n';
}

// Series in a stable order, so that two scrapes list them the same way.
template <typename Map> QList<QStringList> sortedKeys(const Map &map) {
    QList<QStringList> keys = map.keys();
    std::sort(keys.begin(), keys.end(),
              [](const QStringList &a, const QStringList &b) { return a.join(QChar(0)) < b.join(QChar(0)); });
    return keys;
}

QStringList padded(const QStringList &values, qsizetype size) {
    QStringList result = values.mid(0, size);
    while (result.size() < size)
        result.append(QString());
    return result;
}

} // namespace

QByteArray formatValue(double value) {
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        return QByteArray::number(static_cast<qint64>(value));
    return QByteArray::number(value, 'g', 12);
}

QByteArray formatLabels(const QStringList &names, const QStringList &values) {
    if (names.isEmpty())
        return {};
    QByteArray out = "{";
    for (qsizetype i = 0; i < names.size(); ++i) {
        QString value = values.value(i);
        value.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('"'), QLatin1String("\\\""))
            .replace(QLatin1Char('\n'), QLatin1String("\\n"));
        if (i > 0)
            out += ',';
        out += names[i].toUtf8() + "=\"" + value.toUtf8() + '"';
    }
    return out + '}';
}

CounterFamily::CounterFamily(QString name, QString help, QStringList labelNames)
    : m_name(std::move(name)), m_help(std::move(help)), m_labels(std::move(labelNames)) {}

void CounterFamily::inc(const QStringList &labelValues, double by) {
    const QMutexLocker lock(&m_mutex);
    m_values[padded(labelValues, m_labels.size())] += by;
}

double CounterFamily::value(const QStringList &labelValues) const {
    const QMutexLocker lock(&m_mutex);
    return m_values.value(padded(labelValues, m_labels.size()));
}

void CounterFamily::render(QByteArray &out) const {
    const QMutexLocker lock(&m_mutex);
    header(out, m_name, m_help, "counter");
    if (m_labels.isEmpty() && m_values.isEmpty()) // an unlabelled counter is 0 before its first event
        out += m_name.toUtf8() + " 0\n";
    for (const QStringList &key : sortedKeys(m_values))
        out += m_name.toUtf8() + formatLabels(m_labels, key) + ' ' + formatValue(m_values.value(key)) + '\n';
}

HistogramFamily::HistogramFamily(QString name, QString help, std::vector<double> bounds,
                                 QStringList labelNames)
    : m_name(std::move(name)), m_help(std::move(help)), m_bounds(std::move(bounds)),
      m_labels(std::move(labelNames)) {
    std::sort(m_bounds.begin(), m_bounds.end());
}

void HistogramFamily::observe(double value, const QStringList &labelValues) {
    const QMutexLocker lock(&m_mutex);
    Series &series = m_series[padded(labelValues, m_labels.size())];
    if (series.buckets.empty())
        series.buckets.assign(m_bounds.size() + 1, 0);
    const auto bound = std::lower_bound(m_bounds.begin(), m_bounds.end(), value); // first bound >= value
    series.buckets[static_cast<size_t>(bound - m_bounds.begin())] += 1;
    series.sum += value;
    series.count += 1;
}

quint64 HistogramFamily::count(const QStringList &labelValues) const {
    const QMutexLocker lock(&m_mutex);
    return m_series.value(padded(labelValues, m_labels.size())).count;
}

void HistogramFamily::render(QByteArray &out) const {
    const QMutexLocker lock(&m_mutex);
    header(out, m_name, m_help, "histogram");
    QList<QStringList> keys = sortedKeys(m_series);
    if (m_labels.isEmpty() && keys.isEmpty())
        keys.append(QStringList()); // an unlabelled histogram shows its empty buckets
    QStringList names = m_labels;
    names.append(QStringLiteral("le"));
    const QByteArray base = m_name.toUtf8();
    for (const QStringList &key : keys) {
        const Series series = m_series.value(key);
        quint64 cumulative = 0;
        for (size_t i = 0; i <= m_bounds.size(); ++i) {
            cumulative += series.buckets.empty() ? 0 : series.buckets[i];
            QStringList values = key;
            values.append(i < m_bounds.size() ? QString::fromLatin1(formatValue(m_bounds[i]))
                                              : QStringLiteral("+Inf"));
            out +=
                base + "_bucket" + formatLabels(names, values) + ' ' + QByteArray::number(cumulative) + '\n';
        }
        const QByteArray labels = formatLabels(m_labels, key);
        out += base + "_sum" + labels + ' ' + formatValue(series.sum) + '\n';
        out += base + "_count" + labels + ' ' + QByteArray::number(series.count) + '\n';
    }
}

void renderGauge(QByteArray &out, const QString &name, const QString &help, const QStringList &labelNames,
                 const QList<GaugeSample> &samples) {
    header(out, name, help, "gauge");
    for (const GaugeSample &sample : samples)
        out += name.toUtf8() + formatLabels(labelNames, sample.labelValues) + ' ' +
               formatValue(sample.value) + '\n';
}

} // namespace nav::ops
