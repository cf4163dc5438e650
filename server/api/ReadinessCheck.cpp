#include "server/api/ReadinessCheck.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimer>

namespace nav::api {

ReadinessCheck::ReadinessCheck(store::Database &database,
                               std::function<QList<queue::BackendWorker *>()> backends, Settings settings,
                               QObject *parent)
    : QObject(parent), m_database(database), m_backends(std::move(backends)), m_settings(settings) {}

void ReadinessCheck::check(std::function<void(bool, const QJsonObject &)> done) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_checkedMs >= 0 && now - m_checkedMs < m_settings.cacheMs) {
        done(m_ready, m_body);
        return;
    }
    m_waiting.append(std::move(done));
    if (!m_running)
        start();
}

void ReadinessCheck::start() {
    m_running = true;
    const quint64 round = ++m_round;
    const QList<queue::BackendWorker *> workers = m_backends();
    m_pending = 1 + static_cast<int>(workers.size());
    m_databaseUp = false;
    m_databaseError = QStringLiteral("the database did not answer within %1 ms").arg(m_settings.timeoutMs);
    m_backendStates.clear();
    for (const queue::BackendWorker *worker : workers)
        m_backendStates.append({worker->name(), false});

    m_database
        .run<bool>([](QSqlDatabase &db) {
            store::exec(db, QStringLiteral("SELECT 1"));
            return true;
        })
        .then(this,
              [this, round](bool) {
                  if (round != m_round)
                      return;
                  m_databaseUp = true;
                  finishOne();
              })
        .onFailed(this, [this, round](const std::exception &error) {
            if (round != m_round)
                return;
            m_databaseError = QString::fromUtf8(error.what());
            finishOne();
        });
    for (int i = 0; i < workers.size(); ++i)
        workers[i]->probe(
            [this, round, i](bool up) {
                if (round != m_round)
                    return;
                m_backendStates[i].second = up;
                finishOne();
            },
            m_settings.timeoutMs);
    // Whatever has not answered by then counts as down (a hung database never hangs /readyz).
    QTimer::singleShot(m_settings.timeoutMs + 500, this, [this, round] {
        if (round == m_round && m_running) {
            m_pending = 1;
            finishOne();
        }
    });
}

void ReadinessCheck::finishOne() {
    if (--m_pending > 0)
        return;
    ++m_round; // late answers of this round are ignored from now on
    m_running = false;
    QJsonArray backends;
    QJsonArray down;
    int upCount = 0;
    for (const auto &[name, up] : std::as_const(m_backendStates)) {
        backends.append(QJsonObject{{"name", name}, {"up", up}});
        upCount += up ? 1 : 0;
        if (!up)
            down.append(QStringLiteral("backend ") + name);
    }
    if (!m_databaseUp)
        down.prepend(QStringLiteral("database"));
    m_ready = m_databaseUp && upCount > 0;
    m_body = QJsonObject{{"status", m_ready ? "ready" : "not ready"},
                         {"database", QJsonObject{{"up", m_databaseUp}}},
                         {"backends", backends},
                         {"down", down}};
    if (!m_databaseUp)
        m_body.insert("database", QJsonObject{{"up", false}, {"error", m_databaseError}});
    if (!m_ready) {
        QStringList reasons;
        if (!m_databaseUp)
            reasons << QStringLiteral("the database does not answer");
        if (upCount == 0)
            reasons << QStringLiteral("no backend is up");
        m_body.insert("error", QStringLiteral("Not ready: %1").arg(reasons.join(QStringLiteral(" and "))));
        m_body.insert("error_code", "NOT_READY");
    }
    m_checkedMs = QDateTime::currentMSecsSinceEpoch();
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &done : waiting)
        done(m_ready, m_body);
}

} // namespace nav::api
