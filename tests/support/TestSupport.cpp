#include "tests/support/TestSupport.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUuid>

namespace nav::test {

quint16 freePort() {
    // Below Linux's ephemeral range (32768-60999): a port bind(0) returns is also what the kernel hands to
    // outgoing connections, so it could be taken between this check and the child's own bind. And never the
    // same port twice in one test process.
    static QSet<quint16> given;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const auto port = static_cast<quint16>(20000 + QRandomGenerator::global()->bounded(12000));
        if (given.contains(port))
            continue;
        QTcpServer server;
        if (server.listen(QHostAddress::LocalHost, port)) {
            given.insert(port);
            return port;
        }
    }
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

QString binPath(const QString &name) {
    return QStringLiteral(NAVIGATOR_BIN_DIR "/") + name;
}

HttpReply http(const QByteArray &method, const QUrl &url, const QByteArray &body,
               const QHash<QByteArray, QByteArray> &headers, int timeoutMs) {
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (auto it = headers.begin(); it != headers.end(); ++it)
        request.setRawHeader(it.key(), it.value());
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, reply, &QNetworkReply::abort);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto &pair : reply->rawHeaderPairs())
        result.headers.insert(pair.first.toLower(), pair.second);
    if (reply->error() != QNetworkReply::NoError && result.status == 0)
        result.networkError = reply->errorString();
    reply->deleteLater();
    return result;
}

HttpReply httpJson(const QByteArray &method, const QUrl &url, const QJsonObject &body,
                   const QHash<QByteArray, QByteArray> &headers, int timeoutMs) {
    auto all = headers;
    all.insert("Content-Type", "application/json");
    return http(method, url, QJsonDocument(body).toJson(QJsonDocument::Compact), all, timeoutMs);
}

bool waitForPort(quint16 port, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(200))
            return true;
        QThread::msleep(50);
    }
    return false;
}

ChildProcess::~ChildProcess() {
    kill();
}

bool ChildProcess::start(const QString &program, const QStringList &args, const QProcessEnvironment &env) {
    if (m_process) // a restart: output() goes on from the previous run's last lines
        m_output += m_process->readAll();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    if (!env.isEmpty())
        m_process->setProcessEnvironment(env);
    m_process->start(program, args);
    return m_process->waitForStarted(10000);
}

void ChildProcess::kill() {
    if (!running())
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
}

void ChildProcess::terminate() {
    if (!running())
        return;
    m_process->terminate();
    if (!m_process->waitForFinished(10000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool ChildProcess::running() const {
    return m_process && m_process->state() != QProcess::NotRunning;
}

int ChildProcess::exitCode() const {
    return m_process ? m_process->exitCode() : -1;
}

bool ChildProcess::waitForExit(int timeoutMs) {
    return !m_process || m_process->waitForFinished(timeoutMs);
}

QByteArray ChildProcess::output() const {
    if (m_process)
        m_output += m_process->readAll();
    return m_output;
}

qint64 ChildProcess::pid() const {
    return m_process ? m_process->processId() : 0;
}

namespace {

QString envOr(const char *name, const QString &fallback) {
    const QString value = qEnvironmentVariable(name);
    return value.isEmpty() ? fallback : value;
}

void applyMysqlServer(QSqlDatabase &db) {
    db.setHostName(envOr("NAVIGATOR_TEST_MYSQL_HOST", QStringLiteral("127.0.0.1")));
    db.setPort(envOr("NAVIGATOR_TEST_MYSQL_PORT", QStringLiteral("3306")).toInt());
    db.setUserName(envOr("NAVIGATOR_TEST_MYSQL_USER", QStringLiteral("root")));
    db.setPassword(qEnvironmentVariable("NAVIGATOR_TEST_MYSQL_PASSWORD"));
    const QString socket = qEnvironmentVariable("NAVIGATOR_TEST_MYSQL_SOCKET");
    if (!socket.isEmpty())
        db.setConnectOptions(QStringLiteral("UNIX_SOCKET=") + socket);
}

} // namespace

TestDatabase::TestDatabase() {
    m_mysql = qEnvironmentVariable("NAVIGATOR_TEST_DB") == QLatin1String("mysql");
    m_connection = QStringLiteral("testdb-") + QUuid::createUuid().toString(QUuid::Id128);
    m_name = QStringLiteral("navtest_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
    if (m_mysql) {
        {
            QSqlDatabase admin = QSqlDatabase::addDatabase(QStringLiteral("QMYSQL"), m_connection + "-admin");
            applyMysqlServer(admin);
            if (!admin.open())
                qFatal("TestDatabase: cannot reach MariaDB: %s", qPrintable(admin.lastError().text()));
            QSqlQuery(admin).exec(QStringLiteral("CREATE DATABASE `%1` CHARACTER SET utf8mb4").arg(m_name));
        }
        QSqlDatabase::removeDatabase(m_connection + "-admin");
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QMYSQL"), m_connection);
        applyMysqlServer(db);
        db.setDatabaseName(m_name);
        if (!db.open())
            qFatal("TestDatabase: cannot open %s: %s", qPrintable(m_name), qPrintable(db.lastError().text()));
    } else {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(m_dir.filePath(QStringLiteral("navigator.db")));
        db.open();
    }
}

TestDatabase::~TestDatabase() {
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (m_mysql && db.isOpen())
            QSqlQuery(db).exec(QStringLiteral("DROP DATABASE IF EXISTS `%1`").arg(m_name));
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QHash<QString, QString> TestDatabase::envVars() const {
    if (!m_mysql)
        return {{"DB_DRIVER", "sqlite"}, {"DB_PATH", m_dir.filePath(QStringLiteral("navigator.db"))}};
    QHash<QString, QString> vars{{"DB_DRIVER", "mysql"},
                                 {"DB_HOST", envOr("NAVIGATOR_TEST_MYSQL_HOST", QStringLiteral("127.0.0.1"))},
                                 {"DB_PORT", envOr("NAVIGATOR_TEST_MYSQL_PORT", QStringLiteral("3306"))},
                                 {"DB_USER", envOr("NAVIGATOR_TEST_MYSQL_USER", QStringLiteral("root"))},
                                 {"DB_PASSWORD", qEnvironmentVariable("NAVIGATOR_TEST_MYSQL_PASSWORD")},
                                 {"DB_NAME", m_name}};
    const QString socket = qEnvironmentVariable("NAVIGATOR_TEST_MYSQL_SOCKET");
    if (!socket.isEmpty())
        vars.insert("DB_SOCKET", socket);
    return vars;
}

QString TestDatabase::describe() const {
    return m_mysql ? QStringLiteral("mysql:") + m_name : QStringLiteral("sqlite");
}

NavigatorInstance::NavigatorInstance(const TestDatabase &db, const QHash<QString, QString> &extraEnv) {
    m_httpPort = freePort();
    m_rtPort = freePort();
    m_env = db.envVars();
    m_env.insert("SECRET_KEY", QStringLiteral("test-secret-") + QUuid::createUuid().toString(QUuid::Id128));
    m_env.insert("SUPERUSER_ADMIN_TOKEN",
                 QStringLiteral("admin-") + QUuid::createUuid().toString(QUuid::Id128));
    m_env.insert("HTTP_API_PORT", QString::number(m_httpPort));
    m_env.insert("RT_API_PORT", QString::number(m_rtPort));
    m_env.insert("BIND_ADDRESS", "127.0.0.1");
    m_env.insert("SD_API_HOST", QStringLiteral("http://127.0.0.1:%1/sdapi/v1").arg(freePort()));
    for (auto it = extraEnv.begin(); it != extraEnv.end(); ++it)
        m_env.insert(it.key(), it.value());
}

bool NavigatorInstance::start(int timeoutMs) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = m_env.begin(); it != m_env.end(); ++it)
        env.insert(it.key(), it.value());
    // An empty .env path keeps a developer's ./.env out of the tests.
    if (!m_process.start(binPath("navigator"), {"--env-file", "/dev/null"}, env))
        return false;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (!m_process.running())
            return false;
        if (http("GET", url("/"), {}, {}, 1000).status == 200)
            return true;
        QThread::msleep(50);
    }
    return false;
}

QUrl NavigatorInstance::url(const QString &path) const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_httpPort).arg(path));
}

QUrl NavigatorInstance::rtUrl() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_rtPort));
}

} // namespace nav::test
