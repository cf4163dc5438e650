#pragma once
// The database: a connection check and migrations at start-up (synchronous, before the event loop runs), then
// all work on a small pool of worker threads, each with its own QSqlDatabase connection, so the event loop
// never waits on SQL. Callers get a QFuture and come back with .then(context, ...) / .onFailed(context, ...).
#include "server/config/Config.h"
#include "server/store/DbError.h"

#include <QFuture>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThreadPool>
#include <QVariant>
#include <QtConcurrent>

#include <functional>
#include <memory>

namespace nav::store {

class Database {
public:
    // Opens a first connection to check that the database is reachable. On failure returns null and a
    // message naming the server.
    static std::unique_ptr<Database> open(const config::DatabaseConfig &config, QString *error);
    ~Database();

    // Applies the pending migrations (start-up only). On failure returns false and a message.
    bool migrate(QString *error);

    QString dialect() const { return m_config.driver; } // "sqlite" or "mysql"
    QString describe() const;                           // e.g. "mysql nav@127.0.0.1:3306/navigator"

    // Runs `work` on a pool thread with that thread's connection.
    template <typename R> QFuture<R> run(std::function<R(QSqlDatabase &)> work) {
        return QtConcurrent::run(m_pool.get(), [this, work = std::move(work)]() -> R {
            QSqlDatabase db = threadConnection();
            return work(db);
        });
    }

private:
    explicit Database(const config::DatabaseConfig &config);
    QSqlDatabase threadConnection();
    QSqlDatabase connect(const QString &name, QString *error) const;

    config::DatabaseConfig m_config;
    QString m_prefix; // connection-name prefix, unique per Database
    std::unique_ptr<QThreadPool> m_pool;
};

// Prepares and runs one statement with positional binds; throws DbError on failure.
QSqlQuery exec(QSqlDatabase &db, const QString &sql, const QVariantList &binds = {});

// Runs `work` inside a transaction: commits on return, rolls back and rethrows on DbError.
template <typename R> R transaction(QSqlDatabase &db, const std::function<R(QSqlDatabase &)> &work) {
    // SQLite: take the write lock at BEGIN, so the busy timeout applies. A deferred transaction that reads
    // first and then writes fails at once with "database is locked" when another connection is writing.
    const bool begun = db.driverName() == QLatin1String("QSQLITE")
                           ? QSqlQuery(db).exec(QStringLiteral("BEGIN IMMEDIATE"))
                           : db.transaction();
    if (!begun)
        throw DbError(QStringLiteral("cannot begin a transaction"));
    try {
        if constexpr (std::is_void_v<R>) {
            work(db);
            if (!db.commit())
                throw DbError(QStringLiteral("commit failed"));
        } else {
            R result = work(db);
            if (!db.commit())
                throw DbError(QStringLiteral("commit failed"));
            return result;
        }
    } catch (...) {
        db.rollback();
        throw;
    }
}

} // namespace nav::store
