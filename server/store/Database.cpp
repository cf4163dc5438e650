#include "server/store/Database.h"

#include "server/store/Migrator.h"
#include "server/store/SqliteBusyWait.h"
#include "server/store/SqliteMemory.h"
#include "server/store/StoreLogging_p.h"

#include <QSqlError>
#include <QThread>
#include <QUuid>

Q_LOGGING_CATEGORY(lcStore, "navigator.store")

namespace nav::store {

namespace {
// How long a SQLite statement waits for another connection's write lock before it fails as busy.
constexpr int kSqliteBusyMs = 10'000;
} // namespace

Database::Database(const config::DatabaseConfig &config)
    : m_config(config), m_prefix(QStringLiteral("nav-") + QUuid::createUuid().toString(QUuid::Id128).left(8)),
      m_pool(std::make_unique<QThreadPool>()) {
    m_pool->setMaxThreadCount(config.poolSize);
    m_pool->setExpiryTimeout(-1); // threads keep their connections for the life of the Database
}

Database::~Database() {
    stop();
}

void Database::stop() {
    // Finish the queued work and end the pool threads first: a connection may only be closed once no thread
    // uses it any more. Then drop this Database's connections so none outlives it.
    if (!m_pool)
        return;
    m_pool.reset();
    m_statements.clear(); // before their connections go
    const QStringList names = QSqlDatabase::connectionNames();
    for (const QString &name : names) {
        if (name.startsWith(m_prefix + '-'))
            QSqlDatabase::removeDatabase(name);
    }
}

QString Database::describe() const {
    if (m_config.driver == QLatin1String("sqlite"))
        return QStringLiteral("sqlite %1").arg(m_config.path);
    const QString where = m_config.socket.isEmpty()
                              ? QStringLiteral("%1:%2").arg(m_config.host).arg(m_config.port)
                              : m_config.socket;
    return QStringLiteral("mysql %1@%2/%3").arg(m_config.user, where, m_config.name);
}

QSqlDatabase Database::connect(const QString &name, QString *error) const {
    const bool sqlite = m_config.driver == QLatin1String("sqlite");
    QSqlDatabase db =
        QSqlDatabase::addDatabase(sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QMYSQL"), name);
    if (sqlite) {
        db.setDatabaseName(m_config.path);
        // SQLite's own wait, replaced by SqliteBusyWait's once the connection is open.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kSqliteBusyMs));
    } else {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.name);
        // No MYSQL_OPT_RECONNECT (deprecated, and its silent reconnect skips the session set-up): a lost
        // connection surfaces as an `unavailable` DbError and run() reopens it through openSession().
        QString options = QStringLiteral("MYSQL_OPT_CONNECT_TIMEOUT=10");
        if (!m_config.socket.isEmpty())
            options += QStringLiteral(";UNIX_SOCKET=") + m_config.socket;
        db.setConnectOptions(options);
    }
    openSession(db, error);
    return db;
}

bool Database::openSession(QSqlDatabase &db, QString *error) const {
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return false;
    }
    if (db.driverName() == QLatin1String("QSQLITE") && !installBusyWait(db, kSqliteBusyMs))
        qCWarning(lcStore) << "SQLite gave no handle: waits for write locks use its own busy timeout";
    const QStringList setup =
        db.driverName() == QLatin1String("QSQLITE")
            ? QStringList{QStringLiteral("PRAGMA journal_mode=WAL"), QStringLiteral("PRAGMA foreign_keys=ON"),
                          QStringLiteral("PRAGMA synchronous=NORMAL")}
            // Every connection, first or reopened: timestamps are UTC, the SQL mode is one we know (a server
            // default such as ANSI_QUOTES would change what our statements mean), text is utf8mb4, and a
            // statement outside a transaction commits (JobWrite::atomic relies on it).
            : QStringList{
                  QStringLiteral("SET NAMES utf8mb4"), QStringLiteral("SET time_zone = '+00:00'"),
                  QStringLiteral("SET autocommit = 1"),
                  QStringLiteral("SET SESSION sql_mode = "
                                 "'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'")};
    QSqlQuery query(db);
    for (const QString &statement : setup) {
        if (!query.exec(statement)) {
            if (error)
                *error = QStringLiteral("%1 failed: %2").arg(statement, query.lastError().text());
            db.close();
            return false;
        }
    }
    return true;
}

std::unique_ptr<Database> Database::open(const config::DatabaseConfig &config, QString *error) {
    if (config.driver == QLatin1String("sqlite"))
        configureSqliteMemory(); // before the first connection, which is the probe below
    std::unique_ptr<Database> database(new Database(config));
    QString driverError;
    const QString probeName = database->m_prefix + QStringLiteral("-probe");
    const bool reachable = database->connect(probeName, &driverError).isOpen();
    QSqlDatabase::removeDatabase(probeName);
    if (!reachable) {
        if (error)
            *error =
                QStringLiteral("cannot reach the database (%1): %2").arg(database->describe(), driverError);
        return nullptr;
    }
    qCInfo(lcStore).noquote() << "connected to" << database->describe();
    return database;
}

bool Database::migrate(QString *error) {
    const QString name = m_prefix + QStringLiteral("-migrate");
    bool ok = false;
    {
        QString driverError;
        QSqlDatabase db = connect(name, &driverError);
        if (!db.isOpen()) {
            *error = QStringLiteral("cannot reach the database (%1): %2").arg(describe(), driverError);
        } else {
            Migrator migrator(db, dialect());
            ok = migrator.run(error);
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QSqlDatabase Database::threadConnection() {
    // Connections cannot cross threads; each pool thread opens its own on first use and keeps it. One that
    // was closed after a lost connection is reopened here, session set-up included.
    const QString name = m_prefix + QStringLiteral("-") +
                         QString::number(reinterpret_cast<quintptr>(QThread::currentThread()));
    QString driverError;
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen() || openSession(db, &driverError))
            return db;
    } else {
        QSqlDatabase db = connect(name, &driverError);
        if (db.isOpen())
            return db;
    }
    throw DbError(QStringLiteral("cannot reach the database (%1): %2").arg(describe(), driverError), true);
}

StatementCache &Database::statementCache(const QString &name) {
    const QMutexLocker lock(&m_statementsLock);
    std::unique_ptr<StatementCache> &cache = m_statements[name];
    if (!cache)
        cache = std::make_unique<StatementCache>();
    return *cache;
}

namespace {

// MySQL/MariaDB client errors that mean the connection or the server is gone, not that the statement is
// wrong: CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_SERVER_GONE_ERROR, CR_SERVER_LOST,
// CR_SERVER_LOST_EXTENDED, ER_CONNECTION_KILLED, ER_SERVER_SHUTDOWN, and the client's "not connected" state.
// Qt's SQLite driver files every failed step as a ConnectionError, so there the result code decides: a
// statement or the data it writes refused (SQLITE_ERROR, TOOBIG, CONSTRAINT, MISMATCH, RANGE, with their
// extended codes) is not an outage; anything else (busy, I/O, full disk) is.
bool connectionLost(const QSqlError &error, bool sqlite) {
    if (sqlite) {
        bool numeric = false;
        const int primary = error.nativeErrorCode().toInt(&numeric) & 0xff;
        static const QList<int> refused{1, 18, 19, 20, 25};
        return error.type() == QSqlError::ConnectionError && !(numeric && refused.contains(primary));
    }
    static const QStringList codes{QStringLiteral("2002"), QStringLiteral("2003"), QStringLiteral("2006"),
                                   QStringLiteral("2013"), QStringLiteral("2055"), QStringLiteral("1927"),
                                   QStringLiteral("1053"), QStringLiteral("4031")};
    return error.type() == QSqlError::ConnectionError || codes.contains(error.nativeErrorCode());
}

} // namespace

DbError queryError(const QSqlDatabase &db, const QSqlError &error, const QString &sql) {
    return DbError(QStringLiteral("%1 [%2]").arg(error.text(), sql.simplified()),
                   connectionLost(error, db.driverName() == QLatin1String("QSQLITE")));
}

QSqlQuery exec(QSqlDatabase &db, const QString &sql, const QVariantList &binds) {
    StatementCache *cache = StatementCache::active(db);
    std::optional<QSqlQuery> kept = cache ? cache->find(sql) : std::nullopt;
    QSqlQuery query = kept ? std::move(*kept) : QSqlQuery(db);
    if (!kept) {
        if (!query.prepare(sql))
            throw queryError(db, query.lastError(), sql);
        if (cache)
            cache->keep(sql, query);
    }
    for (qsizetype i = 0; i < binds.size(); ++i)
        query.bindValue(int(i), binds.at(i));
    if (!query.exec()) {
        const QSqlError error = query.lastError();
        if (cache)
            cache->evict(sql);
        throw queryError(db, error, sql);
    }
    return query;
}

} // namespace nav::store
