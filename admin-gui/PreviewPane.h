#pragma once
// Shows one job's picture: the latest live preview while it runs (GET /api/previews/:id, fetched again
// whenever its step advances), the final image once finished (GET /api/images/:id), or why there is none
// (waiting, failed with its error, interrupted). Follows the selected job, or the running one.
#include <QImage>
#include <QWidget>

class QLabel;

namespace nav::admin {

class ApiClient;
class QueueModel;

class PreviewPane : public QWidget {
    Q_OBJECT
public:
    PreviewPane(ApiClient *api, QueueModel *model, QWidget *parent = nullptr);

    // The job to show; empty = follow whichever job is running.
    void setSelectedJob(const QString &jobId);
    QString shownJob() const { return m_jobId; }
    // What is on screen: "preview" (live), "final", "none".
    QString imageKind() const { return m_kind; }
    QString caption() const;
    QImage currentImage() const { return m_current; }

signals:
    void imageShown(const QString &jobId, const QString &kind);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void onJobUpdated(const QString &jobId);
    void refresh(bool force);
    void fetch(const QString &path, const QString &kind);
    void showImage(const QImage &image, const QString &kind);
    void showText(const QString &text);
    void rescale();

    ApiClient *m_api;
    QueueModel *m_model;
    QLabel *m_image;
    QLabel *m_caption;
    QString m_selected;
    QString m_jobId;
    QString m_kind = QStringLiteral("none");
    QImage m_current;
    int m_shownStep = -1;
    bool m_inFlight = false;
    bool m_pending = false;
    int m_fetches = 0;
};

} // namespace nav::admin
