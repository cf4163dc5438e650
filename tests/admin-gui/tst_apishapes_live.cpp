// The shared JSON shapes (shared/api) against a running navigator's real answers: a navigator with a
// forge-sim runs a failed job, a running one and waiting ones for two users (one with a Discord profile),
// two people without a role try to log in through a fake Discord (one of them is then denied), and
// GET /api/admin/queue, /history, /users, /status, /backends and /access-requests are read. Every job, user,
// status and backend in those answers parses into its shared type and comes back out identical
// (toJson(fromJson(answer))
// == answer), has exactly the keys the clients know (listed here, so renaming a key in the shape, or on one
// side only, fails), and the admin window's own readers (QueueJob, HistoryModel, UsersModel, RequestsModel)
// see the same values.
#include "admin-gui/HistoryModel.h"
#include "admin-gui/QueueJob.h"
#include "admin-gui/RequestsModel.h"
#include "admin-gui/UsersModel.h"
#include "shared/api/AccessRequest.h"
#include "shared/api/AdminQueueJob.h"
#include "shared/api/Backend.h"
#include "shared/api/HistoryJob.h"
#include "shared/api/Status.h"
#include "shared/api/User.h"
#include "tests/auth/FakeDiscord.h"
#include "tests/pipeline/PipelineHarness.h"

#include <QJsonArray>
#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

const QString kOwner = QStringLiteral("610000000000000001");  // role 1, has a Discord profile
const QString kSecond = QStringLiteral("610000000000000002"); // authorized through the API
const QString kAsker = QStringLiteral("610000000000000003");  // asked for access (pending)
const QString kDenied = QStringLiteral("610000000000000004"); // asked, then denied

QStringList keysOf(const QJsonObject &object) {
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

QStringList sorted(QStringList keys) {
    keys.sort();
    return keys;
}

// The wire format Compass, the bots and the admin window read (docs/ARCHITECTURE.md, resources/openapi.json).
const QStringList kJobKeys =
    sorted({"job_id", "owner_id", "owner_name", "task_type", "status", "model_name", "prompt", "width",
            "height", "steps", "position", "progress", "eta_relative", "current_step", "total_steps",
            "submitted_at", "started_at", "finished_at", "error"});
const QStringList kUserKeys = sorted({"id", "role", "created_at", "updated_at", "image_count", "name",
                                      "username", "global_name", "avatar", "last_login_at"});
const QStringList kStatusKeys =
    sorted({"version", "started_at", "uptime_seconds", "queue_depth", "queued_jobs", "running_jobs",
            "connected_clients", "backends", "database", "caller"});
const QStringList kStatusBackendKeys =
    sorted({"url", "reachable", "checkpoint", "error", "checked_at", "firstpass_patch", "state"});
const QStringList kDatabaseKeys = sorted({"driver", "version", "uptime_seconds"});
const QStringList kCallerKeys = sorted({"discord_id", "role", "superuser"});
const QStringList kBackendKeys =
    sorted({"name", "url", "state", "reachable", "loaded_checkpoint", "running_job", "jobs_done",
            "jobs_failed", "last_error", "firstpass_patch"});
const QStringList kAccessRequestKeys =
    sorted({"discord_id", "name", "username", "global_name", "avatar", "status", "attempts",
            "first_attempt_at", "last_attempt_at", "decided_at", "decided_by"});
const QStringList kHistoryKeys =
    sorted({"job_id", "owner_id", "owner_name", "task_type", "status", "model_name", "prompt",
            "negative_prompt", "width", "height", "steps", "seed", "backend", "attempts", "submitted_at",
            "started_at", "finished_at", "duration_seconds", "error"});
const QStringList kRunningJobKeys = sorted({"job_id", "owner_id", "model_name", "started_at"});

} // namespace

class ApiShapesLiveTest : public QObject {
    Q_OBJECT

    // Slow steps keep one job running (150 steps: over 20 s) and others waiting while the answers are read;
    // the first generation fails with a 500, so a failed job is among the recent ones.
    PipelineHarness m_h{{"--step-ms", "150", "--preview-every", "5", "--fail-next", "1"}};
    QStringList m_jobs;
    FakeDiscord m_discord{"client", "secret", "http://compass.example/", "bot"};

    HttpReply admin(const QString &path) {
        return call(m_h.nav(), "GET", path, m_h.nav().adminToken().toUtf8());
    }

    // Runs a failed job, then one long job and two behind it; returns once the long one is running and has
    // reported progress.
    bool runJobs() {
        const HttpReply failed = m_h.txt2img(kOwner, {{"prompt", "this one fails"}});
        if (failed.status != 200)
            return false;
        const QString failedId = failed.json().value("job_id").toString();
        if (m_h.waitForFinal(kOwner, failedId).value("status").toString() != QLatin1String("failed"))
            return false;
        m_jobs << failedId;
        for (const QString &owner : {kOwner, kSecond, kOwner}) {
            const HttpReply reply = m_h.txt2img(
                owner, {{"steps", 150}, {"width", 640}, {"height", 448}, {"prompt", "a long one"}});
            if (reply.status != 200)
                return false;
            m_jobs << reply.json().value("job_id").toString();
        }
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            const QJsonArray jobs = admin("/api/admin/queue").json().value("jobs").toArray();
            for (const QJsonValue &job : jobs)
                if (job.toObject().value("status") == QLatin1String("running") &&
                    job.toObject().value("current_step").toInt() > 0 &&
                    !job.toObject().value("eta_relative").isNull())
                    return true;
            QTest::qWait(100);
        }
        return false;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_discord.start());
        m_h.setEnv("DISCORD_API_BASE", m_discord.url().toString());
        m_h.setEnv("DISCORD_CLIENT_ID", "client");
        m_h.setEnv("DISCORD_CLIENT_SECRET", "secret");
        m_h.setEnv("DISCORD_REDIRECT_URI", "http://compass.example/");
        const QString error = m_h.start({kOwner});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // As a Discord login stores it (DiscordProfileRepository::recordLogin).
        QVERIFY(
            seed(m_h.db(),
                 "INSERT INTO discord_profiles (discord_id, username, global_name, avatar, last_login_at) "
                 "VALUES (?, 'ada', 'Ada Lovelace', 'a1b2c3', '2026-03-04 05:06:07')",
                 {kOwner}));
        QCOMPARE(admin("/api/admin/authorize-user/" + kSecond).status, 200);
        // Logins refused for want of a role become access requests.
        for (const QString &id : {kAsker, kDenied}) {
            m_discord.addUser(id, "code-" + id);
            QCOMPARE(call(m_h.nav(), "POST", "/api/auth/login", {}, {{"code", "code-" + id}}).status, 403);
        }
        QCOMPARE(call(m_h.nav(), "POST", "/api/admin/access-requests/" + kDenied + "/deny",
                      m_h.nav().adminToken().toUtf8())
                     .status,
                 200);
        QVERIFY2(runJobs(), m_h.nav().process().output().right(4000).constData());
    }

    void queueJobsRoundTrip() {
        const HttpReply reply = admin("/api/admin/queue?include_recent=10");
        QCOMPARE(reply.status, 200);
        QJsonArray rows = reply.json().value("jobs").toArray();
        for (const QJsonValue &row : reply.json().value("recent").toArray())
            rows.append(row);
        QSet<QString> statuses;
        bool sawEta = false, sawPosition = false, sawError = false, sawOwnerName = false;
        for (const QJsonValue &value : rows) {
            const QJsonObject answer = value.toObject();
            QCOMPARE(keysOf(answer), kJobKeys);
            const api::AdminQueueJob job = api::AdminQueueJob::fromJson(answer);
            QCOMPARE(job.toJson(), answer);
            statuses.insert(job.status);
            sawEta |= job.etaSeconds.has_value();
            sawPosition |= job.position > 0;
            sawError |= !job.errorCode.isEmpty();
            sawOwnerName |= !job.ownerName.isEmpty();

            // The admin window reads the same values through the shape.
            const admin::QueueJob seen = admin::QueueJob::fromJson(answer);
            QCOMPARE(seen.jobId, job.jobId);
            QCOMPARE(seen.ownerId, job.ownerId);
            QCOMPARE(seen.ownerName, job.ownerName);
            QCOMPARE(seen.statusText, job.status);
            QCOMPARE(seen.modelName, job.modelName);
            QCOMPARE(seen.prompt, job.prompt);
            QCOMPARE(seen.width, job.width);
            QCOMPARE(seen.steps, job.steps);
            QCOMPARE(seen.position, job.position);
            QCOMPARE(seen.progress, job.progress);
            QCOMPARE(seen.etaSeconds, job.etaSeconds.value_or(-1));
            QCOMPARE(seen.currentStep, job.currentStep);
            QCOMPARE(seen.submittedAt, job.submittedAt);
            QCOMPARE(seen.startedAt, job.startedAt);
            QCOMPARE(seen.finishedAt, job.finishedAt);
            QVERIFY(job.submittedAt.isValid());
        }
        // The answers cover every field kind: a running job with its eta, waiting ones with a position, a
        // failed one with its error, and owner names from the Discord profile.
        QVERIFY(statuses.contains("running"));
        QVERIFY(statuses.contains("queued"));
        QVERIFY(statuses.contains("failed"));
        QVERIFY(sawEta);
        QVERIFY(sawPosition);
        QVERIFY(sawError);
        QVERIFY(sawOwnerName);
    }

    void historyRoundTrips() {
        const HttpReply reply = admin("/api/admin/history");
        QCOMPARE(reply.status, 200);
        const QJsonArray rows = reply.json().value("jobs").toArray();
        QCOMPARE(rows.size(), 1); // the failed job; the others have not ended
        const QJsonObject answer = rows.at(0).toObject();
        QCOMPARE(keysOf(answer), kHistoryKeys);
        const api::HistoryJob job = api::HistoryJob::fromJson(answer);
        QCOMPARE(job.toJson(), answer);
        QCOMPARE(job.status, QStringLiteral("failed"));
        QVERIFY(!job.errorCode.isEmpty());
        QVERIFY(!job.backend.isEmpty());
        QCOMPARE(job.ownerName, QStringLiteral("Ada Lovelace"));

        admin::HistoryModel model;
        QVERIFY(model.setPage(reply.json()));
        QCOMPARE(model.index(0, 0).data(admin::HistoryModel::JobIdRole).toString(), job.jobId);
        QCOMPARE(model.index(0, admin::HistoryModel::ColBackend).data().toString(), job.backend);
        QCOMPARE(model.index(0, admin::HistoryModel::ColReason).data().toString(),
                 admin::HistoryModel::reasonText(job));
        QCOMPARE(model.index(0, admin::HistoryModel::ColOwner).data().toString(), job.ownerName);
    }

    void usersRoundTrip() {
        const HttpReply reply = admin("/api/admin/users");
        QCOMPARE(reply.status, 200);
        const QJsonArray rows = reply.json().value("users").toArray();
        QCOMPARE(rows.size(), 2);
        bool sawProfile = false;
        for (const QJsonValue &value : rows) {
            const QJsonObject answer = value.toObject();
            QCOMPARE(keysOf(answer), kUserKeys);
            const api::User user = api::User::fromJson(answer);
            QCOMPARE(user.toJson(), answer);
            QVERIFY(user.createdAt.isValid());
            sawProfile |= !user.globalName.isEmpty() && user.lastLoginAt.isValid();
        }
        QVERIFY(sawProfile);
        // One user as GET /api/admin/users/:id answers it.
        const HttpReply one = admin("/api/admin/users/" + kOwner);
        QCOMPARE(one.status, 200);
        QCOMPARE(api::User::fromJson(one.json()).toJson(), one.json());
        QCOMPARE(api::User::fromJson(one.json()).name, QStringLiteral("Ada Lovelace"));

        admin::UsersModel model;
        QVERIFY(model.setPage(reply.json()));
        QCOMPARE(model.rowCount(), 2);
        for (int row = 0; row < model.rowCount(); ++row) {
            const api::User user = api::User::fromJson(rows.at(row).toObject());
            QCOMPARE(model.userAt(row).discordId, user.id);
            QCOMPARE(model.userAt(row).role, user.role);
            QCOMPARE(model.userAt(row).name, user.name);
            QCOMPARE(model.userAt(row).imageCount, int(user.imageCount));
            QCOMPARE(model.userAt(row).createdAt, user.createdAt);
        }
    }

    void statusRoundTrips() {
        const HttpReply reply = admin("/api/admin/status");
        QCOMPARE(reply.status, 200);
        const QJsonObject answer = reply.json();
        QCOMPARE(keysOf(answer), kStatusKeys);
        const api::Status status = api::Status::fromJson(answer);
        QCOMPARE(status.toJson(), answer);
        QCOMPARE(status.backends.size(), 1);
        QCOMPARE(keysOf(answer.value("backends").toArray().at(0).toObject()), kStatusBackendKeys);
        QCOMPARE(keysOf(answer.value("database").toObject()), kDatabaseKeys);
        QCOMPARE(keysOf(answer.value("caller").toObject()), kCallerKeys);
        QVERIFY(status.backends.at(0).reachable);
        QCOMPARE(status.backends.at(0).state, QStringLiteral("busy"));
        QVERIFY(status.queueDepth.value_or(0) >= 2);
        QVERIFY(status.database && !status.database->driver.isEmpty());
        QVERIFY(status.caller && status.caller->superuser);
    }

    void accessRequestsRoundTrip() {
        const HttpReply reply = admin("/api/admin/access-requests?status=all");
        QCOMPARE(reply.status, 200);
        const QJsonArray rows = reply.json().value("requests").toArray();
        QCOMPARE(rows.size(), 2);
        QSet<QString> statuses;
        for (const QJsonValue &value : rows) {
            const QJsonObject answer = value.toObject();
            QCOMPARE(keysOf(answer), kAccessRequestKeys);
            const api::AccessRequest request = api::AccessRequest::fromJson(answer);
            QCOMPARE(request.toJson(), answer);
            statuses.insert(request.status);
            QVERIFY(request.firstAttemptAt.isValid());
            QVERIFY(!request.name.isEmpty());
            if (request.status == QLatin1String("denied")) {
                QVERIFY(request.decidedAt.isValid());
                QVERIFY(!request.decidedBy.isEmpty());
            }
            // The window's requests table lists a pending request with these values and leaves others out.
            admin::RequestsModel model;
            model.upsert(answer);
            if (request.status != QLatin1String("pending")) {
                QCOMPARE(model.rowOf(request.discordId), -1);
                continue;
            }
            QCOMPARE(model.rowOf(request.discordId), 0);
            const admin::AccessRequest &seen = model.requestAt(0);
            QCOMPARE(seen.discordId, request.discordId);
            QCOMPARE(seen.name, request.name);
            QCOMPARE(seen.status, request.status);
            QCOMPARE(seen.attempts, request.attempts);
            QCOMPARE(seen.firstAttemptAt, request.firstAttemptAt);
            QCOMPARE(seen.lastAttemptAt, request.lastAttemptAt);
        }
        QCOMPARE(statuses, (QSet<QString>{"pending", "denied"}));
    }

    void backendsRoundTrip() {
        const HttpReply reply = admin("/api/admin/backends");
        QCOMPARE(reply.status, 200);
        const QJsonArray backends = reply.json().value("backends").toArray();
        QCOMPARE(backends.size(), 1);
        const QJsonObject answer = backends.at(0).toObject();
        QCOMPARE(keysOf(answer), kBackendKeys);
        const api::Backend backend = api::Backend::fromJson(answer);
        QCOMPARE(backend.toJson(), answer);
        QVERIFY(backend.runningJob.has_value());
        QCOMPARE(keysOf(answer.value("running_job").toObject()), kRunningJobKeys);
        QCOMPARE(backend.jobsFailed, 1);
    }
};

QTEST_GUILESS_MAIN(ApiShapesLiveTest)
#include "tst_apishapes_live.moc"
