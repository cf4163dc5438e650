#pragma once
// Log output for the whole process (LOG_FORMAT): "text" lines for a terminal or journald, or "json", one
// object per line with time, level, category, message and, when the code logging knows them, job_id and user.
// Code that logs about a job puts a LogContext on the stack first:
//     const ops::LogContext context(job.id, job.ownerId);
//     qCInfo(lcQueue) << "started";
#include <QString>

namespace nav::ops {

enum class LogFormat { Text, Json };

// Installs the message handler. Safe to call again (e.g. once the configuration is read).
void installLogHandler(LogFormat format);

// The job and user the current thread is working for, until this object leaves scope. Nests.
class LogContext {
public:
    LogContext(QString jobId, QString user = {});
    ~LogContext();
    LogContext(const LogContext &) = delete;
    LogContext &operator=(const LogContext &) = delete;

    static const LogContext *current();
    const QString &jobId() const { return m_jobId; }
    const QString &user() const { return m_user; }

private:
    QString m_jobId;
    QString m_user;
    const LogContext *m_outer;
};

// Hides credentials a message may quote, whoever logged it (Qt's own debug output prints request headers):
// Authorization header values, bearer tokens, ?token= in URLs and the password of user:password@.
QString redactSecrets(const QString &message);

// One formatted line (without the newline), secrets redacted; exposed for tests.
QByteArray formatLogLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                         const LogContext *context);

} // namespace nav::ops
