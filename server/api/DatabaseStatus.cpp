#include "server/api/DatabaseStatus.h"

#include <QCoreApplication>

namespace nav::api {

DatabaseStatus::DatabaseStatus(store::Database &db, int refreshMs)
    : m_db(db), m_refreshMs(refreshMs), m_cached{db.dialect(), {}, std::nullopt} {
    refresh();
}

api::Status::Database DatabaseStatus::current() {
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
    m_db.run<api::Status::Database>([sqlite, driver = m_cached.driver](QSqlDatabase &db) {
            QSqlQuery version = store::exec(db, sqlite ? QStringLiteral("SELECT sqlite_version()")
                                                       : QStringLiteral("SELECT VERSION()"));
            std::optional<qint64> uptime;
            if (!sqlite) {
                QSqlQuery status = store::exec(db, QStringLiteral("SHOW GLOBAL STATUS LIKE 'Uptime'"));
                if (status.next())
                    uptime = status.value(1).toLongLong();
            }
            return api::Status::Database{driver, version.next() ? version.value(0).toString() : QString(),
                                         uptime};
        })
        .then(context,
              [this](const api::Status::Database &read) {
                  m_reading = false;
                  m_readAt = QDateTime::currentDateTimeUtc();
                  m_cached = read;
              })
        .onFailed(context, [this] {
            // Keep the last answer; the next status call tries again.
            m_reading = false;
        });
}

} // namespace nav::api
