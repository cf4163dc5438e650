#pragma once
// An ended job as GET /api/admin/history lists it: the server builds one from a jobs row, its parameters
// and the backend that ran it (server/api/AdminHistoryRoutes.cpp), the admin window reads it
// (admin-gui/HistoryModel.cpp). The field names live here only; tst_apishapes_live round-trips a running
// navigator's answers.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace nav::api {

struct HistoryJob {
    QString jobId;
    QString ownerId;
    QString ownerName; // display name from the owner's Discord profile; empty: null
    QString taskType;
    QString status;    // finished, failed, interrupted
    QString modelName; // empty: null
    QString prompt;
    QString negativePrompt;
    int width = 0;
    int height = 0;
    int steps = 0;
    std::optional<qint64> seed; // nullopt: null (not a number in the request)
    QString backend;            // the backend that ran it; empty: null
    int attempts = 0;
    QDateTime submittedAt; // invalid: null
    QDateTime startedAt;
    QDateTime finishedAt;
    std::optional<qint64> durationSeconds; // started to finished; nullopt: null
    QString errorCode;                     // both empty: "error" is null
    QString errorMessage;

    QJsonObject toJson() const;
    // Missing or mistyped fields keep their defaults; times are read leniently (json::lenientTime).
    static HistoryJob fromJson(const QJsonObject &object);
};

} // namespace nav::api
