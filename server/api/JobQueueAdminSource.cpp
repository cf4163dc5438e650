#include "server/api/JobQueueAdminSource.h"

namespace nav::api {

JobQueueAdminSource::JobQueueAdminSource(queue::JobQueue &queue, store::JobRepository &jobs, QObject *parent)
    : QObject(parent), m_queue(queue), m_jobs(jobs) {}

AdminQueueJob JobQueueAdminSource::fromJob(const store::Job &job) {
    AdminQueueJob view;
    view.jobId = job.id;
    view.ownerId = job.ownerId;
    view.taskType = job.taskType;
    view.status = job.status == QLatin1String("started") ? QStringLiteral("running") : job.status;
    view.modelName = job.modelName;
    view.prompt = job.params.value(QStringLiteral("prompt")).toString();
    view.width = job.params.value(QStringLiteral("width")).toInt();
    view.height = job.params.value(QStringLiteral("height")).toInt();
    view.steps = job.params.value(QStringLiteral("steps")).toInt();
    view.submittedAt = job.createdAt;
    view.startedAt = job.startedAt;
    view.finishedAt = job.finishedAt;
    view.errorCode = job.errorCode;
    view.errorMessage = job.errorMessage;
    return view;
}

void JobQueueAdminSource::adminSnapshot(
    int recentCount, std::function<void(const AdminQueueSnapshot &, const QString &)> done) {
    AdminQueueSnapshot snapshot;
    for (const store::Job &job : m_queue.running()) {
        AdminQueueJob view = fromJob(job);
        view.status = QStringLiteral("running");
        if (const auto progress = m_queue.progress(job.id)) {
            view.progress = progress->progress;
            view.etaSeconds = progress->etaRelative;
            view.currentStep = progress->currentStep;
            view.totalSteps = progress->totalSteps;
        }
        snapshot.active.append(view);
    }
    const QList<store::Job> queued = m_queue.queued(); // in dispatch order: a job's position is its place
    for (qsizetype i = 0; i < queued.size(); ++i) {
        AdminQueueJob view = fromJob(queued[i]);
        view.status = QStringLiteral("queued");
        view.position = int(i + 1);
        snapshot.active.append(view);
    }

    if (recentCount <= 0) {
        done(snapshot, {});
        return;
    }
    m_jobs.recent(recentCount)
        .then(this,
              [snapshot, done](const QList<store::Job> &recent) mutable {
                  for (const store::Job &job : recent)
                      snapshot.recent.append(fromJob(job));
                  done(snapshot, {});
              })
        .onFailed(this,
                  [done](const std::exception &e) {
                      done({},
                           QStringLiteral("cannot read recent jobs: %1").arg(QString::fromUtf8(e.what())));
                  })
        .onFailed(this, [done] { done({}, QStringLiteral("cannot read recent jobs")); });
}

} // namespace nav::api
