#pragma once
// What GET /readyz answers: ready when the database runs a statement and at least one backend answers.
// Every backend is asked (GET /options, short timeout) at most once per cache period; concurrent checks
// share one round of probes, so a flood of /readyz never piles calls onto Forge or the database.
#include "server/queue/BackendWorker.h"
#include "server/store/Database.h"

#include <QJsonObject>
#include <QList>
#include <QObject>

#include <functional>

namespace nav::api {

class ReadinessCheck final : public QObject {
    Q_OBJECT
public:
    struct Settings {
        int timeoutMs = 3000; // per probe, database and backends alike
        int cacheMs = 1000;
    };
    ReadinessCheck(store::Database &database, std::function<QList<queue::BackendWorker *>()> backends,
                   Settings settings, QObject *parent = nullptr);

    // `ready` and the JSON body: {status, database, backends: [{name, up}], down: [...]}.
    void check(std::function<void(bool ready, const QJsonObject &)> done);

private:
    void start();
    void finishOne();

    store::Database &m_database;
    std::function<QList<queue::BackendWorker *>()> m_backends;
    Settings m_settings;
    QList<std::function<void(bool, const QJsonObject &)>> m_waiting;
    bool m_running = false;
    int m_pending = 0;
    quint64 m_round = 0; // answers of an abandoned (timed-out) round are ignored
    bool m_databaseUp = false;
    QString m_databaseError;
    QList<QPair<QString, bool>> m_backendStates;
    qint64 m_checkedMs = -1;
    bool m_ready = false;
    QJsonObject m_body;
};

} // namespace nav::api
