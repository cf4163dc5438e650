#pragma once
// One fresh database, one forge-sim and one navigator pointed at it, plus the calls the pipeline suites make:
// submitting jobs as a user, reading job state, and waiting (never sleeping) until a job reaches a state.
#include "tests/pipeline/ForgeSim.h"
#include "tests/support/ApiTestHelpers.h"

#include <memory>

namespace nav::test {

inline const QString kFinalStatuses[] = {QStringLiteral("finished"), QStringLiteral("failed"),
                                         QStringLiteral("interrupted")};

class PipelineHarness {
public:
    // `simArgs` go to forge-sim (e.g. --step-ms 20); `env` is layered over navigator's test environment.
    PipelineHarness(const QStringList &simArgs = {}, const QHash<QString, QString> &env = {});

    // Another forge-sim, listed after the first in SD_API_HOST (call before start()). `args` replace the
    // default checkpoint list and speed if they name them.
    ForgeSim &addSim(const QStringList &args);
    // Sets one more variable for navigator (call before start()).
    void setEnv(const QString &name, const QString &value) { m_env.insert(name, value); }
    // Starts every forge-sim and navigator and creates the given users with role 1. Returns an error text
    // or "". `forgeUserInfo` ("user:password") goes into the first SD_API_HOST entry, as for a Forge behind
    // basic auth.
    QString start(const QStringList &users, const QString &forgeUserInfo = {});

    TestDatabase &db() { return *m_db; }
    ForgeSim &sim() { return *m_sim; }
    ForgeSim &sim(int index) { return index == 0 ? *m_sim : *m_extraSims[index - 1]; }
    // The backend name navigator gives sim `index` ("127.0.0.1:<port>").
    QString backendName(int index) { return QStringLiteral("127.0.0.1:%1").arg(sim(index).port()); }
    NavigatorInstance &nav() { return *m_nav; }
    QByteArray token(const QString &user) const { return bearerFor(*m_nav, user); }

    HttpReply as(const QString &user, const QByteArray &method, const QString &path,
                 const QJsonObject &body = {}) {
        return call(*m_nav, method, path, token(user), body);
    }
    // POST /api/queue/user/txt2img with a small default body (prompt, model) merged with `fields`.
    HttpReply txt2img(const QString &user, const QJsonObject &fields = {});
    QJsonObject job(const QString &user, const QString &jobId) {
        return as(user, "GET", QStringLiteral("/api/queue/jobs/") + jobId).json();
    }
    // Polls GET /api/queue/jobs/:id until its status is one of `statuses`; returns the last state seen.
    QJsonObject waitForStatus(const QString &user, const QString &jobId, const QStringList &statuses,
                              int timeoutMs = 30000);
    QJsonObject waitForFinal(const QString &user, const QString &jobId, int timeoutMs = 30000);
    // For a failed wait (print it: QtTest cuts assertion messages at 1 KB): the job's last state and the ends
    // of navigator's and every forge-sim's output.
    QByteArray diagnosis(const QString &jobId, const QJsonObject &lastState);

private:
    QHash<QString, QString> m_env;
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ForgeSim> m_sim;
    std::vector<std::unique_ptr<ForgeSim>> m_extraSims;
    std::unique_ptr<NavigatorInstance> m_nav;
};

// The model names forge-sim offers in the pipeline suites.
inline const QString kModelA = QStringLiteral("sd_xl_base_1.0");
inline const QString kModelB = QStringLiteral("flux1-dev-bnb-nf4-v2");

} // namespace nav::test
