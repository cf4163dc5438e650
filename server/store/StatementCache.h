#pragma once
// Prepared statements kept per pool connection. Preparing costs SQLite a parse and plan (tens of µs) and
// MariaDB a server round trip (Qt's QMYSQL prepares on the server) for every exec(). While a Database::run()
// job runs, exec() on the job's connection takes its statements from that thread's cache, prepared once.
// When the job ends every statement is reset (finish()), so no SQLite read snapshot or MySQL result set stays
// open between jobs. A SELECT whose rows may still be read (active) is not handed out a second time in the
// same job: that exec() prepares a fresh statement. At most kCapacity statements are kept per connection (SQL
// built with a varying number of placeholders makes new texts); the least recently used goes first.
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <optional>
#include <unordered_map>

namespace nav::store {

// A second handle on the same prepared statement and result. Qt deprecates copying QSqlQuery because copies
// share that state; sharing is what the cache wants (the caller's handle and the kept one are one statement).
QSqlQuery sharedHandle(const QSqlQuery &query);

class StatementCache final {
public:
    static constexpr qsizetype kCapacity = 64;

    // exec() on `db` uses `cache` (the statements of `db`, which this thread owns while the scope is open);
    // the scope's end resets every statement. Scopes do not nest.
    class Scope {
    public:
        Scope(StatementCache &cache, const QSqlDatabase &db);
        ~Scope();
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;
    };

    // The cache of `db` when a Scope for it is open on this thread, else null.
    static StatementCache *active(const QSqlDatabase &db);

    // The kept statement for `sql`, ready for new binds, if there is one that may be executed again now.
    std::optional<QSqlQuery> find(const QString &sql);
    // Keeps `query`, prepared from `sql`, for later exec() calls.
    void keep(const QString &sql, const QSqlQuery &query);
    // Drops the statement for `sql` (it failed: it is prepared again next time).
    void evict(const QString &sql) { m_statements.erase(sql); }
    // Drops every statement (their connection is about to be closed).
    void clear() { m_statements.clear(); }

private:
    void finishAll();

    struct Statement {
        QSqlQuery query;
        quint64 lastUse = 0;
    };
    std::unordered_map<QString, Statement> m_statements; // moves its values, never copies them
    quint64 m_uses = 0;
};

} // namespace nav::store
