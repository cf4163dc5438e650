#include "tests/pipeline/PipelineHarness.h"

#include <QElapsedTimer>
#include <QThread>

namespace nav::test {

PipelineHarness::PipelineHarness(const QStringList &simArgs, const QHash<QString, QString> &env)
    : m_env(env), m_db(std::make_unique<TestDatabase>()) {
    QStringList args{"--models", kModelA + QLatin1Char(',') + kModelB, "--switch-ms", "0"};
    args += simArgs;
    m_sim = std::make_unique<ForgeSim>(args);
}

ForgeSim &PipelineHarness::addSim(const QStringList &args) {
    QStringList all{"--models", kModelA + QLatin1Char(',') + kModelB, "--switch-ms", "0"};
    all += args; // later options win
    m_extraSims.push_back(std::make_unique<ForgeSim>(all));
    return *m_extraSims.back();
}

QString PipelineHarness::start(const QStringList &users, const QString &forgeUserInfo) {
    if (!m_sim->start())
        return QStringLiteral("forge-sim did not start: ") + QString::fromUtf8(m_sim->output());
    QUrl first(m_sim->sdApiHost());
    if (!forgeUserInfo.isEmpty())
        first.setUserInfo(forgeUserInfo);
    QStringList hosts{first.toString()};
    for (const auto &sim : m_extraSims) {
        if (!sim->start())
            return QStringLiteral("forge-sim did not start: ") + QString::fromUtf8(sim->output());
        hosts.append(sim->sdApiHost());
    }
    QHash<QString, QString> env{{"SD_API_HOST", hosts.join(QLatin1Char(','))},
                                {"JOB_PROGRESS_CHECK_INTERVAL", "100"}};
    for (auto it = m_env.begin(); it != m_env.end(); ++it)
        env.insert(it.key(), it.value());
    m_nav = std::make_unique<NavigatorInstance>(*m_db, env);
    if (!m_nav->start())
        return QStringLiteral("navigator did not start: ") + QString::fromUtf8(m_nav->process().output());
    for (const QString &user : users) {
        if (!seed(*m_db, "INSERT INTO users (id, role) VALUES (?, 1)", {user.toLongLong()}))
            return QStringLiteral("cannot create user ") + user;
    }
    return {};
}

HttpReply PipelineHarness::txt2img(const QString &user, const QJsonObject &fields) {
    QJsonObject body{{"model_name", kModelA}, {"prompt", "a lighthouse at dusk"}, {"steps", 4}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        body.insert(it.key(), it.value());
    return as(user, "POST", "/api/queue/user/txt2img", body);
}

QJsonObject PipelineHarness::waitForStatus(const QString &user, const QString &jobId,
                                           const QStringList &statuses, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    QJsonObject last;
    while (timer.elapsed() < timeoutMs) {
        last = job(user, jobId);
        if (statuses.contains(last.value("status").toString()))
            return last;
        QThread::msleep(50);
    }
    return last;
}

QJsonObject PipelineHarness::waitForFinal(const QString &user, const QString &jobId, int timeoutMs) {
    return waitForStatus(user, jobId, {std::begin(kFinalStatuses), std::end(kFinalStatuses)}, timeoutMs);
}

QByteArray PipelineHarness::diagnosis(const QString &jobId, const QJsonObject &lastState) {
    constexpr int kTailBytes = 6000;
    QByteArray text = "job " + jobId.toUtf8() + " last seen as " + QJsonDocument(lastState).toJson() +
                      "\n--- navigator (end) ---\n" + m_nav->process().output().right(kTailBytes);
    text += "\n--- forge-sim (end) ---\n" + m_sim->output().right(kTailBytes);
    for (const auto &sim : m_extraSims)
        text += "\n--- forge-sim on port " + QByteArray::number(sim->port()) + " (end) ---\n" +
                sim->output().right(kTailBytes);
    return text;
}

} // namespace nav::test
