#include "server/ops/Logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <atomic>
#include <cstdio>

namespace nav::ops {

namespace {

thread_local const LogContext *tCurrent = nullptr;
std::atomic<LogFormat> gFormat{LogFormat::Text};

const char *levelName(QtMsgType type, bool json) {
    switch (type) {
    case QtDebugMsg:
        return json ? "debug" : "DEBUG";
    case QtInfoMsg:
        return json ? "info" : "INFO ";
    case QtWarningMsg:
        return json ? "warning" : "WARN ";
    case QtCriticalMsg:
        return json ? "error" : "ERROR";
    case QtFatalMsg:
        return json ? "fatal" : "FATAL";
    }
    return "?";
}

void handler(QtMsgType type, const QMessageLogContext &where, const QString &message) {
    const QByteArray line =
        formatLogLine(gFormat.load(), type, where.category, message, LogContext::current()) + '\n';
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stderr);
    std::fflush(stderr);
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

LogContext::LogContext(QString jobId, QString user)
    : m_jobId(std::move(jobId)), m_user(std::move(user)), m_outer(tCurrent) {
    tCurrent = this;
}

LogContext::~LogContext() {
    tCurrent = m_outer;
}

const LogContext *LogContext::current() {
    return tCurrent;
}

QString redactSecrets(const QString &message) {
    // Cheap test first: most lines mention neither.
    if (!message.contains(QLatin1String("uthorization"), Qt::CaseInsensitive) &&
        !message.contains(QLatin1String("earer"), Qt::CaseInsensitive) &&
        !message.contains(QLatin1Char('@')) &&
        !message.contains(QLatin1String("token="), Qt::CaseInsensitive))
        return message;
    static const QRegularExpression authorization(
        QStringLiteral("(authorization\\W{0,4}\\s*)(?:bearer\\s+)?[^\\s\"',;)]+"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression bearer(QStringLiteral("(bearer\\s+)[^\\s\"',;)]+"),
                                           QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression userInfo(QStringLiteral("(://[^:/@\\s]*):[^@/\\s]*@"));
    // CivitAI download URLs carry the API key as ?token=.
    static const QRegularExpression queryToken(QStringLiteral("([?&]token=)[^&\\s\"']+"),
                                               QRegularExpression::CaseInsensitiveOption);
    QString text = message;
    text.replace(authorization, QStringLiteral("\\1(hidden)"));
    text.replace(bearer, QStringLiteral("\\1(hidden)"));
    text.replace(userInfo, QStringLiteral("\\1:(hidden)@"));
    text.replace(queryToken, QStringLiteral("\\1(hidden)"));
    return text;
}

QByteArray formatLogLine(LogFormat format, QtMsgType type, const char *category, const QString &rawMessage,
                         const LogContext *context) {
    const QString message = redactSecrets(rawMessage);
    const QString time = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QString categoryName = QString::fromUtf8(category ? category : "default");
    if (format == LogFormat::Json) {
        QJsonObject object{{"time", time},
                           {"level", QLatin1String(levelName(type, true))},
                           {"category", categoryName},
                           {"message", message}};
        if (context && !context->jobId().isEmpty())
            object.insert("job_id", context->jobId());
        if (context && !context->user().isEmpty())
            object.insert("user", context->user());
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }
    QString line = time + QLatin1Char(' ') + QLatin1String(levelName(type, false)) + QLatin1Char(' ') +
                   categoryName + QLatin1String(": ") + message;
    if (context && !context->jobId().isEmpty())
        line += QStringLiteral(" [job %1%2]")
                    .arg(context->jobId(),
                         context->user().isEmpty() ? QString() : QStringLiteral(" user ") + context->user());
    return line.toUtf8();
}

void installLogHandler(LogFormat format) {
    gFormat.store(format);
    qInstallMessageHandler(handler);
}

} // namespace nav::ops
