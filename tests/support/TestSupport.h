#pragma once
// Helpers shared by the integration suites: free ports, child processes (navigator, forge-sim, node clients),
// blocking HTTP calls over real loopback sockets, and a fresh database per test (SQLite or MariaDB).
//
// The database backend is chosen by NAVIGATOR_TEST_DB=sqlite|mysql. For mysql, NAVIGATOR_TEST_MYSQL_HOST,
// _PORT, _SOCKET, _USER and _PASSWORD describe a server where the user may create and drop databases
// (scripts/test.sh starts a private one).
#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

// Skips a test whose dependency (an npm module, say) is missing, except under CI=true, where a skipped suite
// would read as a pass: there it fails.
#define NAV_REQUIRE_DEPENDENCY(present, message)                                                             \
    do {                                                                                                     \
        if (!(present)) {                                                                                    \
            if (qEnvironmentVariable("CI") == QLatin1String("true"))                                         \
                QFAIL(message " (CI=true: a missing dependency is a failure, not a skip)");                  \
            QSKIP(message);                                                                                  \
        }                                                                                                    \
    } while (false)

namespace nav::test {

// A TCP port that was free a moment ago on 127.0.0.1.
quint16 freePort();

// Path of a built program in build/bin.
QString binPath(const QString &name);

struct HttpReply {
    int status = 0; // 0 when the connection failed
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QString networkError;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray jsonArray() const { return QJsonDocument::fromJson(body).array(); }
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

// Blocking HTTP over loopback (spins a local event loop). Times out after timeoutMs.
HttpReply http(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
               const QHash<QByteArray, QByteArray> &headers = {}, int timeoutMs = 15000);
HttpReply httpJson(const QByteArray &method, const QUrl &url, const QJsonObject &body,
                   const QHash<QByteArray, QByteArray> &headers = {}, int timeoutMs = 15000);

// Waits until a TCP connection to 127.0.0.1:port succeeds.
bool waitForPort(quint16 port, int timeoutMs = 15000);

// A child process that is killed when this object dies. Output is kept for failure messages.
class ChildProcess {
public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    bool start(const QString &program, const QStringList &args, const QProcessEnvironment &env = {});
    void kill();      // SIGKILL and wait
    void terminate(); // SIGTERM and wait
    bool running() const;
    int exitCode() const;
    bool waitForExit(int timeoutMs);
    QByteArray output() const; // stdout + stderr so far
    qint64 pid() const;

private:
    std::unique_ptr<QProcess> m_process;
    mutable QByteArray m_output;
};

// A fresh, empty database for one test, dropped (or deleted) at destruction.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    bool isMysql() const { return m_mysql; }
    // DB_* variables that point navigator at this database.
    QHash<QString, QString> envVars() const;
    // A QSqlDatabase connection name opened on this database (for seeding and assertions).
    QString connectionName() const { return m_connection; }
    QString describe() const;

private:
    bool m_mysql = false;
    QString m_name;
    QString m_connection;
    QTemporaryDir m_dir;
};

// navigator started on free ports against a TestDatabase, with extra variables layered on top.
class NavigatorInstance {
public:
    explicit NavigatorInstance(const TestDatabase &db, const QHash<QString, QString> &extraEnv = {});
    bool start(int timeoutMs = 20000);
    void kill() { m_process.kill(); }
    void terminate() { m_process.terminate(); }
    QUrl url(const QString &path) const; // http://127.0.0.1:<httpPort><path>
    QUrl rtUrl() const;                  // http://127.0.0.1:<rtPort>
    quint16 httpPort() const { return m_httpPort; }
    quint16 rtPort() const { return m_rtPort; }
    QString secretKey() const { return m_env.value("SECRET_KEY"); }
    QString adminToken() const { return m_env.value("SUPERUSER_ADMIN_TOKEN"); }
    ChildProcess &process() { return m_process; }
    QHash<QString, QString> env() const { return m_env; }

private:
    QHash<QString, QString> m_env;
    quint16 m_httpPort = 0;
    quint16 m_rtPort = 0;
    ChildProcess m_process;
};

} // namespace nav::test
