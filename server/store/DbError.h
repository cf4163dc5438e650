#pragma once
// The exception database work throws; it travels through QFuture to .onFailed handlers. Each one raised
// counts in navigator_database_errors_total.
#include "server/ops/ServiceMetrics.h"

#include <QException>
#include <QString>

namespace nav::store {

class DbError : public QException {
public:
    explicit DbError(QString message) : m_message(std::move(message)), m_utf8(m_message.toUtf8()) {
        ops::metrics().databaseErrors.inc();
    }
    void raise() const override { throw *this; }
    DbError *clone() const override { return new DbError(*this); }
    const char *what() const noexcept override { return m_utf8.constData(); }
    const QString &message() const { return m_message; }

private:
    QString m_message;
    QByteArray m_utf8;
};

} // namespace nav::store
