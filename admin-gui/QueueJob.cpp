#include "admin-gui/QueueJob.h"

#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace nav::admin {

namespace {

QDateTime parseTime(const QJsonValue &value) {
    if (value.isDouble()) // epoch milliseconds
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(value.toDouble()), Qt::UTC);
    QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!time.isValid()) // "2024-05-01 10:00:00" as SQL prints it (UTC)
        time = QDateTime::fromString(value.toString(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    if (time.isValid() && time.timeSpec() == Qt::LocalTime && !value.toString().contains(QLatin1Char('+')))
        time.setTimeSpec(Qt::UTC);
    return time;
}

int intValue(const QJsonValue &value, int fallback) {
    if (value.isDouble())
        return static_cast<int>(value.toDouble());
    bool ok = false;
    const int parsed = value.toString().toInt(&ok);
    return ok ? parsed : fallback;
}

} // namespace

QueueJob::State QueueJob::stateFromStatus(const QString &status) {
    const QString s = status.toLower();
    if (s == QLatin1String("queued") || s == QLatin1String("pending") || s == QLatin1String("waiting"))
        return State::Queued;
    if (s == QLatin1String("running") || s == QLatin1String("started") || s == QLatin1String("processing"))
        return State::Running;
    if (s == QLatin1String("finished") || s == QLatin1String("completed") || s == QLatin1String("done"))
        return State::Finished;
    if (s == QLatin1String("failed") || s == QLatin1String("error"))
        return State::Failed;
    if (s == QLatin1String("interrupted") || s == QLatin1String("removed") || s == QLatin1String("cancelled"))
        return State::Interrupted;
    return State::Unknown;
}

QString QueueJob::errorText(const QJsonValue &error) {
    if (error.isString())
        return error.toString();
    if (error.isObject()) {
        const QJsonObject object = error.toObject();
        const QString code = object.value(QStringLiteral("code")).toString();
        const QString message = object.value(QStringLiteral("message")).toString();
        if (!code.isEmpty() && !message.isEmpty() && message != code)
            return code + QStringLiteral(": ") + message;
        return code.isEmpty() ? message : code;
    }
    return {};
}

void QueueJob::merge(const QJsonObject &o) {
    const auto has = [&o](const char *key) { return o.contains(QLatin1String(key)); };
    const auto str = [&o](const char *key) { return o.value(QLatin1String(key)).toString(); };
    if (has("job_id"))
        jobId = str("job_id");
    if (has("owner_id"))
        ownerId = o.value(QStringLiteral("owner_id")).isDouble()
                      ? QString::number(static_cast<qint64>(o.value(QStringLiteral("owner_id")).toDouble()))
                      : str("owner_id");
    if (has("owner_name") && !str("owner_name").isEmpty())
        ownerName = str("owner_name");
    if (has("model_name"))
        modelName = str("model_name");
    if (has("prompt"))
        prompt = str("prompt");
    if (has("task_type"))
        taskType = str("task_type");
    if (has("width"))
        width = intValue(o.value(QStringLiteral("width")), width);
    if (has("height"))
        height = intValue(o.value(QStringLiteral("height")), height);
    if (has("steps"))
        steps = intValue(o.value(QStringLiteral("steps")), steps);
    if (has("status")) {
        statusText = str("status");
        state = stateFromStatus(statusText);
    }
    if (has("position")) {
        const QJsonValue value = o.value(QStringLiteral("position"));
        position = value.isNull() ? -1 : intValue(value, -1);
    }
    if (has("progress"))
        progress = std::clamp(o.value(QStringLiteral("progress")).toDouble(), 0.0, 1.0);
    for (const char *key : {"eta", "eta_relative"})
        if (has(key)) {
            const QJsonValue value = o.value(QLatin1String(key));
            etaSeconds = value.isDouble() ? value.toDouble() : -1;
        }
    if (has("current_step"))
        currentStep = intValue(o.value(QStringLiteral("current_step")), currentStep);
    if (has("total_steps"))
        totalSteps = intValue(o.value(QStringLiteral("total_steps")), totalSteps);
    for (const char *key : {"created_at", "submitted_at"})
        if (has(key) && !o.value(QLatin1String(key)).isNull())
            submittedAt = parseTime(o.value(QLatin1String(key)));
    if (has("started_at") && !o.value(QStringLiteral("started_at")).isNull())
        startedAt = parseTime(o.value(QStringLiteral("started_at")));
    if (has("finished_at") && !o.value(QStringLiteral("finished_at")).isNull())
        finishedAt = parseTime(o.value(QStringLiteral("finished_at")));
    if (has("error")) {
        error = errorText(o.value(QStringLiteral("error")));
    } else if (has("error_message") || has("error_code")) {
        const QString code = str("error_code");
        const QString message = str("error_message");
        error = code.isEmpty() ? message : message.isEmpty() ? code : code + QStringLiteral(": ") + message;
    }
}

QueueJob QueueJob::fromJson(const QJsonObject &object) {
    QueueJob job;
    job.merge(object);
    return job;
}

QString QueueJob::stateLabel() const {
    switch (state) {
    case State::Queued:
        return QStringLiteral("queued");
    case State::Running:
        return QStringLiteral("running");
    case State::Finished:
        return QStringLiteral("finished");
    case State::Failed:
        return QStringLiteral("failed");
    case State::Interrupted:
        return QStringLiteral("interrupted");
    case State::Unknown:
        break;
    }
    return statusText.isEmpty() ? QStringLiteral("?") : statusText;
}

QString QueueJob::sizeLabel() const {
    if (width <= 0 || height <= 0)
        return {};
    return QStringLiteral("%1×%2").arg(width).arg(height);
}

QString QueueJob::formatEta(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds))
        return {};
    const qint64 total = std::llround(seconds);
    if (total < 60)
        return QStringLiteral("%1 s").arg(total);
    return QStringLiteral("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace nav::admin
