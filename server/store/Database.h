#pragma once
// The database: a connection check and migrations at start-up (synchronous, before the event loop runs), then
// all work on a small pool of worker threads, each with its own QSqlDatabase connection, so the event loop
// never waits on SQL. Callers get a QFuture and come back with .then(context, ...) / .onFailed(context, ...).
#include "server/common/WorkerPriority.h"
#include "server/config/Config.h"
#include "server/store/DbError.h"
#include "server/store/StatementCache.h"

#include <QFuture>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThreadPool>
#include <QVariant>
#include <QtConcurrent>

#include <functional>
#include <memory>
#include <unordered_map>

namespace nav::store {

class Database final {
public:
    // Opens a first connection to check that the database is reachable. On failure returns null and a
    // message naming the server.
    static std::unique_ptr<Database> open(const config::DatabaseConfig &config, QString *error);
    ~Database();

    // Applies the pending migrations (start-up only). On failure returns false and a message.
    bool migrate(QString *error);

    QString dialect() const { return m_config.driver; } // "sqlite" or "mysql"
    QString describe() const;                           // e.g. "mysql nav@127.0.0.1:3306/navigator"

    // Runs `work` on a pool thread with that thread's connection, whose exec() calls reuse the statements
    // prepared by earlier jobs on it (StatementCache). A connection found dead (the server restarted since it
    // was opened) is reopened, with the session set-up, and `work` runs once more on it; if the server cannot
    // be reached the future fails with an `unavailable` DbError.
    template <typename R> QFuture<R> run(std::function<R(QSqlDatabase &)> work) {
        return common::runInBackground(m_pool.get(), [this, work = std::move(work)]() -> R {
            QSqlDatabase db = threadConnection();
            StatementCache &statements = statementCache(db.connectionName());
            try {
                const StatementCache::Scope scope(statements, db);
                return work(db);
            } catch (const DbError &e) {
                if (!e.unavailable())
                    throw;
                statements.clear(); // prepared on the dead connection
                db.close();
                QSqlDatabase fresh = threadConnection();
                const StatementCache::Scope scope(statements, fresh);
                return work(fresh);
            }
        });
    }

    // Waits for the queued work and ends the pool threads (before the process exits, so no thread still
    // runs a query while the statics are torn down). Idempotent; the destructor calls it too.
    void stop();

private:
    explicit Database(const config::DatabaseConfig &config);
    QSqlDatabase threadConnection();
    // The prepared statements of the pool connection `name` (only its thread uses them).
    StatementCache &statementCache(const QString &name);
    QSqlDatabase connect(const QString &name, QString *error) const;
    // Opens `db` and runs the session set-up (time zone, SQL mode, character set / pragmas). On failure
    // the connection is closed and `error` says why.
    bool openSession(QSqlDatabase &db, QString *error) const;

    config::DatabaseConfig m_config;
    QString m_prefix; // connection-name prefix, unique per Database
    std::unique_ptr<QThreadPool> m_pool;
    QMutex m_statementsLock; // guards the map; each cache belongs to one pool thread
    std::unordered_map<QString, std::unique_ptr<StatementCache>> m_statements;
};

// The DbError for a failed statement; `unavailable` when the error says the connection or server is gone.
DbError queryError(const QSqlDatabase &db, const QSqlError &error, const QString &sql);

// Prepares and runs one statement with positional binds; throws DbError on failure. Inside Database::run()
// the statement is prepared once per pool connection and reused (StatementCache).
QSqlQuery exec(QSqlDatabase &db, const QString &sql, const QVariantList &binds = {});

// Runs `work` inside a transaction: commits on return, rolls back and rethrows on DbError.
template <typename R> R transaction(QSqlDatabase &db, const std::function<R(QSqlDatabase &)> &work) {
    // SQLite: take the write lock at BEGIN, so the busy timeout applies. A deferred transaction that reads
    // first and then writes fails at once with "database is locked" when another connection is writing.
    const bool begun = db.driverName() == QLatin1String("QSQLITE")
                           ? QSqlQuery(db).exec(QStringLiteral("BEGIN IMMEDIATE"))
                           : db.transaction();
    if (!begun)
        throw queryError(db, db.lastError(), QStringLiteral("BEGIN"));
    try {
        if constexpr (std::is_void_v<R>) {
            work(db);
            if (!db.commit())
                throw queryError(db, db.lastError(), QStringLiteral("COMMIT"));
        } else {
            R result = work(db);
            if (!db.commit())
                throw queryError(db, db.lastError(), QStringLiteral("COMMIT"));
            return result;
        }
    } catch (...) {
        db.rollback();
        throw;
    }
}

} // namespace nav::store
