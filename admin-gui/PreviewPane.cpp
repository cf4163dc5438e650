#include "admin-gui/PreviewPane.h"

#include "admin-gui/ApiClient.h"
#include "admin-gui/QueueModel.h"

#include <QLabel>
#include <QUrl>
#include <QVBoxLayout>

namespace nav::admin {

PreviewPane::PreviewPane(ApiClient *api, QueueModel *model, QWidget *parent)
    : QWidget(parent), m_api(api), m_model(model), m_image(new QLabel(this)), m_caption(new QLabel(this)) {
    auto *layout = new QVBoxLayout(this);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setMinimumSize(256, 256);
    m_image->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_image->setFrameShape(QFrame::StyledPanel);
    m_caption->setWordWrap(true);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_image, 1);
    layout->addWidget(m_caption);
    connect(model, &QueueModel::jobUpdated, this, &PreviewPane::onJobUpdated);
    showText(QStringLiteral("No job selected and nothing running."));
}

void PreviewPane::setSelectedJob(const QString &jobId) {
    m_selected = jobId;
    refresh(false);
}

QString PreviewPane::caption() const {
    return m_caption->text();
}

void PreviewPane::onJobUpdated(const QString &jobId) {
    // Following the running job: any job change may mean another one started.
    if (m_selected.isEmpty() || jobId == m_jobId || jobId == m_selected)
        refresh(false);
}

void PreviewPane::refresh(bool force) {
    QString target = m_selected.isEmpty() ? m_model->runningJobId() : m_selected;
    // Following the running job: once it ends, keep showing it (its final image or error) until another
    // one starts.
    if (target.isEmpty() && m_selected.isEmpty() && m_model->rowOf(m_jobId) >= 0)
        target = m_jobId;
    if (target != m_jobId) {
        m_jobId = target;
        m_shownStep = -1;
        m_current = QImage();
        m_kind = QStringLiteral("none");
        m_image->clear();
        force = true;
    }
    const std::optional<QueueJob> job = m_model->job(m_jobId);
    if (!job) {
        // Keep a finished picture of a job that just dropped out of the list.
        if (m_current.isNull())
            showText(m_selected.isEmpty()
                         ? QStringLiteral("No job selected and nothing running.")
                         : QStringLiteral("Job %1 is no longer in the queue.").arg(m_selected));
        return;
    }
    const QString owner =
        job->ownerName.isEmpty() ? job->ownerId : QStringLiteral("%1 (%2)").arg(job->ownerName, job->ownerId);
    const QString title = QStringLiteral("%1 · %2 · %3").arg(job->jobId, owner, job->stateLabel());
    switch (job->state) {
    case QueueJob::State::Queued:
        showText(title +
                 (job->position >= 0 ? QStringLiteral(" (position %1)").arg(job->position) : QString()) +
                 QStringLiteral("\nWaiting for a backend; no preview yet."));
        break;
    case QueueJob::State::Running: {
        m_caption->setText(title +
                           QStringLiteral(" · step %1/%2").arg(job->currentStep).arg(job->totalSteps));
        // A new preview can only exist once the step moved on.
        if (force || job->currentStep != m_shownStep) {
            m_shownStep = job->currentStep;
            fetch(QStringLiteral("/api/previews/%1?step=%2").arg(job->jobId).arg(job->currentStep),
                  QStringLiteral("preview"));
        }
        break;
    }
    case QueueJob::State::Finished:
        m_caption->setText(title);
        if (m_kind != QLatin1String("final"))
            fetch(QStringLiteral("/api/images/%1").arg(job->jobId), QStringLiteral("final"));
        break;
    case QueueJob::State::Failed:
        m_caption->setText(title + QStringLiteral("\nError: ") +
                           (job->error.isEmpty() ? QStringLiteral("unknown") : job->error));
        if (m_current.isNull())
            m_image->setText(QStringLiteral("Failed"));
        break;
    case QueueJob::State::Interrupted:
    case QueueJob::State::Unknown:
        m_caption->setText(title);
        if (m_current.isNull())
            m_image->setText(QStringLiteral("No image"));
        break;
    }
}

void PreviewPane::fetch(const QString &path, const QString &kind) {
    if (m_inFlight) {
        m_pending = true; // one fetch at a time; the newest state is fetched when it returns
        return;
    }
    m_inFlight = true;
    ++m_fetches;
    const QString jobId = m_jobId;
    m_api->get(path, this, [this, jobId, kind](const ApiReply &reply) {
        m_inFlight = false;
        if (jobId == m_jobId && reply.ok()) {
            QImage image;
            if (image.loadFromData(reply.body))
                showImage(image, kind);
        } else if (jobId == m_jobId && m_current.isNull() && reply.error.kind == ApiError::NotFound) {
            m_image->setText(kind == QLatin1String("final") ? QStringLiteral("Image not found")
                                                            : QStringLiteral("No preview yet"));
        }
        if (m_pending) {
            m_pending = false;
            refresh(true);
        }
    });
}

void PreviewPane::showImage(const QImage &image, const QString &kind) {
    m_current = image;
    m_kind = kind;
    rescale();
    emit imageShown(m_jobId, kind);
}

void PreviewPane::showText(const QString &text) {
    m_caption->setText(text);
    if (m_current.isNull())
        m_image->setText(QStringLiteral("—"));
}

void PreviewPane::rescale() {
    if (m_current.isNull())
        return;
    m_image->setPixmap(
        QPixmap::fromImage(m_current.scaled(m_image->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation)));
}

void PreviewPane::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    rescale();
}

} // namespace nav::admin
