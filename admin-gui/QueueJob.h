#pragma once
// One job as the admin window sees it: built from a GET /api/admin/queue row (read through the shared shape
// api::AdminQueueJob) and kept current by the socket.io job events (task-started, task-progress,
// task-finished, task-failed, task-interrupted), which carry some of the same fields.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace nav::admin {

struct QueueJob {
    enum class State { Queued, Running, Finished, Failed, Interrupted, Unknown };

    QString jobId;
    QString ownerId;
    QString ownerName; // owner_name from the admin queue (the owner's Discord display name); may be empty
    QString modelName;
    QString prompt;
    QString taskType;
    QString statusText; // as the server spelled it
    State state = State::Unknown;
    QString error;
    int width = 0;
    int height = 0;
    int steps = 0;
    int position = -1;      // place in the queue, -1 when not waiting
    double progress = 0;    // 0..1
    double etaSeconds = -1; // < 0 when unknown
    int currentStep = 0;
    int totalSteps = 0;
    QDateTime submittedAt;
    QDateTime startedAt;
    QDateTime finishedAt;

    // Overwrites the fields present in `object` and keeps the others (events carry subsets).
    void merge(const QJsonObject &object);
    static QueueJob fromJson(const QJsonObject &object);

    static State stateFromStatus(const QString &status);
    bool isActive() const { return state == State::Queued || state == State::Running; }
    QString stateLabel() const;
    // The owner's name when known, else the id.
    QString ownerLabel() const { return ownerName.isEmpty() ? ownerId : ownerName; }
    QString sizeLabel() const;
    // "1 min 05 s", "12 s", or empty when unknown.
    static QString formatEta(double seconds);
    // Human-readable text for the server's error field (a string or {code, message, fatal}).
    static QString errorText(const QJsonValue &error);
};

} // namespace nav::admin
