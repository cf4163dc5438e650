#include "server/store/Database.h"

#include "server/store/Migrator.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QThread>
#include <QUuid>

Q_LOGGING_CATEGORY(lcStore, "navigator.store")

namespace nav::store {

Database::Database(const config::DatabaseConfig &config)
    : m_config(config), m_prefix(QStringLiteral("nav-") + QUuid::createUuid().toString(QUuid::Id128).left(8)),
      m_pool(std::make_unique<QThreadPool>()) {
    m_pool->setMaxThreadCount(config.poolSize);
    m_pool->setExpiryTimeout(-1); // threads keep their connections for the life of the Database
}

Database::~Database() {
    // Finish the queued work and end the pool threads first: a connection may only be closed once no thread
    // uses it any more. Then drop this Database's connections so none outlives it.
    m_pool.reset();
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
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    } else {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.name);
        QString options = QStringLiteral("MYSQL_OPT_RECONNECT=1;MYSQL_OPT_CONNECT_TIMEOUT=10");
        if (!m_config.socket.isEmpty())
            options += QStringLiteral(";UNIX_SOCKET=") + m_config.socket;
        db.setConnectOptions(options);
    }
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return db;
    }
    QSqlQuery setup(db);
    if (sqlite) {
        setup.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        setup.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        setup.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    } else {
        setup.exec(QStringLiteral("SET NAMES utf8mb4"));
        setup.exec(QStringLiteral("SET time_zone = '+00:00'"));
    }
    return db;
}

std::unique_ptr<Database> Database::open(const config::DatabaseConfig &config, QString *error) {
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
    // Connections cannot cross threads; each pool thread opens its own on first use and keeps it.
    const QString name = m_prefix + QStringLiteral("-") +
                         QString::number(reinterpret_cast<quintptr>(QThread::currentThread()));
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen() || db.open())
            return db;
        throw DbError(QStringLiteral("database connection lost: %1").arg(db.lastError().text()));
    }
    QString driverError;
    QSqlDatabase db = connect(name, &driverError);
    if (!db.isOpen())
        throw DbError(QStringLiteral("cannot reach the database (%1): %2").arg(describe(), driverError));
    return db;
}

QSqlQuery exec(QSqlDatabase &db, const QString &sql, const QVariantList &binds) {
    QSqlQuery query(db);
    if (!query.prepare(sql))
        throw DbError(QStringLiteral("%1 [%2]").arg(query.lastError().text(), sql.simplified()));
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec())
        throw DbError(QStringLiteral("%1 [%2]").arg(query.lastError().text(), sql.simplified()));
    return query;
}

} // namespace nav::store
