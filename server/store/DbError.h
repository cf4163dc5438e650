#pragma once
// The exception database work throws; it travels through QFuture to .onFailed handlers. Each one raised
// counts in navigator_database_errors_total. `unavailable` marks a failure because the database cannot be
// reached (server down, connection lost): the same work may succeed later, so job-state writes retry it and
// new submissions get 503 instead of 500.
#include "server/ops/ServiceMetrics.h"

#include <QException>
#include <QString>

namespace nav::store {

class DbError : public QException {
public:
    explicit DbError(QString message, bool unavailable = false)
        : m_message(std::move(message)), m_utf8(m_message.toUtf8()), m_unavailable(unavailable) {
        ops::metrics().databaseErrors.inc();
    }
    void raise() const override { throw *this; }
    DbError *clone() const override { return new DbError(*this); }
    const char *what() const noexcept override { return m_utf8.constData(); }
    const QString &message() const { return m_message; }
    bool unavailable() const { return m_unavailable; }

private:
    QString m_message;
    QByteArray m_utf8;
    bool m_unavailable = false;
};

// A database failure as a value: how a service reports one to its caller (the HTTP handler answers it with
// api::answerDatabaseError, like every other database failure) instead of answering HTTP itself.
struct DbFailure {
    QString detail;
    bool unavailable = false; // the database could not be reached

    // What a failed database future carried: a DbError keeps its message and `unavailable`.
    static DbFailure from(const std::exception &e) {
        if (const auto *error = dynamic_cast<const DbError *>(&e))
            return {error->message(), error->unavailable()};
        return {QString::fromUtf8(e.what()), false};
    }
};

} // namespace nav::store
