#pragma once
// A MariaDB server of the test's own (scripts/mariadb-private.sh: its own data directory and TCP port, user
// `navigator` / password `navigator`) that the test may stop and start again, to make the database
// unreachable for a navigator that uses it. Stopped when this object dies.
#include <QHash>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace nav::test {

class PrivateMariaDb {
public:
    // `serverArgs` are extra mariadbd options (MARIADB_EXTRA_ARGS), e.g. "--default-time-zone=+05:00".
    explicit PrivateMariaDb(QString serverArgs = {});
    ~PrivateMariaDb();
    PrivateMariaDb(const PrivateMariaDb &) = delete;
    PrivateMariaDb &operator=(const PrivateMariaDb &) = delete;

    // mariadbd (or mysqld) is installed (scripts/deps.sh installs it).
    static bool installed();
    // Starts the server (on the same port every time); false, with a warning, when it does not come up.
    bool start();
    bool stop();
    bool running() const { return m_running; }
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dir.path(); }
    // Runs one statement as `navigator` (database may be empty); false, with a warning, on failure.
    bool exec(const QString &sql, const QString &database = {}) const;
    // The DB_* variables that point navigator at `database` on this server.
    QHash<QString, QString> envVars(const QString &database) const;

private:
    bool run(const QStringList &args);

    QString m_serverArgs;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    bool m_running = false;
};

} // namespace nav::test
