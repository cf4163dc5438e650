#include "admin-gui/QueueJob.h"

#include "shared/api/AdminQueueJob.h"
#include "shared/api/JsonValues.h"

#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace nav::admin {

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
    // The server's spelling is shared/api/AdminQueueJob (admin queue rows, and the job events that carry
    // the same fields); only the fields present are taken over, since events carry subsets.
    using F = api::AdminQueueJob::Field;
    const api::AdminQueueJob row = api::AdminQueueJob::fromJson(o);
    const auto has = [&o](F field) { return o.contains(api::AdminQueueJob::key(field)); };
    if (has(F::JobId))
        jobId = row.jobId;
    if (has(F::OwnerId))
        ownerId = row.ownerId;
    if (has(F::OwnerName) && !row.ownerName.isEmpty())
        ownerName = row.ownerName;
    if (has(F::ModelName))
        modelName = row.modelName;
    if (has(F::Prompt))
        prompt = row.prompt;
    if (has(F::TaskType))
        taskType = row.taskType;
    if (has(F::Width))
        width = json::lenientInt(o.value(api::AdminQueueJob::key(F::Width)), width);
    if (has(F::Height))
        height = json::lenientInt(o.value(api::AdminQueueJob::key(F::Height)), height);
    if (has(F::Steps))
        steps = json::lenientInt(o.value(api::AdminQueueJob::key(F::Steps)), steps);
    if (has(F::Status)) {
        statusText = row.status;
        state = stateFromStatus(statusText);
    }
    if (has(F::Position))
        position = row.position;
    if (has(F::Progress))
        progress = std::clamp(row.progress, 0.0, 1.0);
    if (o.contains(QLatin1String("eta"))) { // an older sender's spelling; eta_relative wins
        const QJsonValue value = o.value(QLatin1String("eta"));
        etaSeconds = value.isDouble() ? value.toDouble() : -1;
    }
    if (has(F::EtaSeconds))
        etaSeconds = row.etaSeconds.value_or(-1);
    if (has(F::CurrentStep))
        currentStep = json::lenientInt(o.value(api::AdminQueueJob::key(F::CurrentStep)), currentStep);
    if (has(F::TotalSteps))
        totalSteps = json::lenientInt(o.value(api::AdminQueueJob::key(F::TotalSteps)), totalSteps);
    // A time that is present and not null replaces the known one (created_at: an older sender's spelling).
    const auto given = [&o](QLatin1String key) { return o.contains(key) && !o.value(key).isNull(); };
    if (given(QLatin1String("created_at")))
        submittedAt = json::lenientTime(o.value(QLatin1String("created_at")));
    if (given(api::AdminQueueJob::key(F::SubmittedAt)))
        submittedAt = row.submittedAt;
    if (given(api::AdminQueueJob::key(F::StartedAt)))
        startedAt = row.startedAt;
    if (given(api::AdminQueueJob::key(F::FinishedAt)))
        finishedAt = row.finishedAt;
    if (has(F::Error))
        error = errorText(o.value(api::AdminQueueJob::key(F::Error)));
    else if (o.contains(QLatin1String("error_message")) || o.contains(QLatin1String("error_code"))) {
        // An older sender's spelling: two columns.
        const QString code = o.value(QLatin1String("error_code")).toString();
        const QString message = o.value(QLatin1String("error_message")).toString();
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
