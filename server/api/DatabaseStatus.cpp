#include "server/api/DatabaseStatus.h"

#include <QCoreApplication>

namespace nav::api {

DatabaseStatus::DatabaseStatus(store::Database &db, int refreshMs)
    : m_db(db), m_refreshMs(refreshMs), m_cached{{"driver", db.dialect()},
                                                 {"version", QJsonValue::Null},
                                                 {"uptime_seconds", QJsonValue::Null}} {
    refresh();
}

QJsonObject DatabaseStatus::current() {
    if (!m_readAt.isValid() || m_readAt.msecsTo(QDateTime::currentDateTimeUtc()) > m_refreshMs)
        refresh();
    return m_cached;
}

void DatabaseStatus::refresh() {
    if (m_reading)
        return;
    m_reading = true;
    const bool sqlite = m_db.dialect() == QLatin1String("sqlite");
    QObject *context = QCoreApplication::instance();
    m_db.run<QJsonObject>([sqlite](QSqlDatabase &db) {
            QSqlQuery version = store::exec(db, sqlite ? QStringLiteral("SELECT sqlite_version()")
                                                       : QStringLiteral("SELECT VERSION()"));
            QJsonValue uptime = QJsonValue::Null;
            if (!sqlite) {
                QSqlQuery status = store::exec(db, QStringLiteral("SHOW GLOBAL STATUS LIKE 'Uptime'"));
                if (status.next())
                    uptime = status.value(1).toLongLong();
            }
            return QJsonObject{{"version", version.next() ? version.value(0).toString() : QString()},
                               {"uptime_seconds", uptime}};
        })
        .then(context,
              [this](const QJsonObject &read) {
                  m_reading = false;
                  m_readAt = QDateTime::currentDateTimeUtc();
                  for (auto it = read.begin(); it != read.end(); ++it)
                      m_cached.insert(it.key(), it.value());
              })
        .onFailed(context, [this] {
            // Keep the last answer; the next status call tries again.
            m_reading = false;
        });
}

} // namespace nav::api
