#include "tests/support/PrivateMariaDb.h"

#include "tests/support/TestSupport.h"

#include <QDebug>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

namespace nav::test {

namespace {
const QString kScript = QStringLiteral(NAVIGATOR_SOURCE_DIR "/scripts/mariadb-private.sh");
} // namespace

PrivateMariaDb::PrivateMariaDb(QString serverArgs)
    : m_serverArgs(std::move(serverArgs)), m_port(freePort()) {}

PrivateMariaDb::~PrivateMariaDb() {
    if (m_running)
        stop();
}

bool PrivateMariaDb::installed() {
    const QStringList dirs{QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")};
    return !QStandardPaths::findExecutable(QStringLiteral("mariadbd"), dirs).isEmpty() ||
           !QStandardPaths::findExecutable(QStringLiteral("mysqld"), dirs).isEmpty();
}

bool PrivateMariaDb::run(const QStringList &args) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("MARIADB_EXTRA_ARGS"), m_serverArgs);
    process.setProcessEnvironment(env);
    process.start(kScript, args);
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        qWarning("mariadb-private.sh %s: %s", qPrintable(args.join(QLatin1Char(' '))),
                 process.readAllStandardError().constData());
        return false;
    }
    return true;
}

bool PrivateMariaDb::start() {
    m_running = run({QStringLiteral("start"), m_dir.path(), QString::number(m_port)});
    return m_running;
}

bool PrivateMariaDb::stop() {
    const bool stopped = run({QStringLiteral("stop"), m_dir.path()});
    m_running = m_running && !stopped;
    return stopped;
}

bool PrivateMariaDb::exec(const QString &sql, const QString &database) const {
    const QString name = QStringLiteral("private-mariadb-") + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QMYSQL"), name);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(m_port);
        db.setUserName(QStringLiteral("navigator"));
        db.setPassword(QStringLiteral("navigator"));
        db.setDatabaseName(database);
        if (!db.open()) {
            qWarning().noquote() << "private MariaDB: cannot connect:" << db.lastError().text();
        } else {
            QSqlQuery query(db);
            ok = query.exec(sql);
            if (!ok)
                qWarning().noquote() << "private MariaDB:" << query.lastError().text() << sql;
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QHash<QString, QString> PrivateMariaDb::envVars(const QString &database) const {
    return {{"DB_DRIVER", "mysql"}, {"DB_HOST", "127.0.0.1"}, {"DB_PORT", QString::number(m_port)},
            {"DB_SOCKET", ""},      {"DB_USER", "navigator"}, {"DB_PASSWORD", "navigator"},
            {"DB_NAME", database}};
}

} // namespace nav::test
