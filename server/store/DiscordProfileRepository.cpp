#include "server/store/DiscordProfileRepository.h"

#include "server/store/SqlTime.h"

#include <QMutex>

namespace nav::store {

namespace {

// Discord names are at most 32 characters; anything longer is cut rather than refused (the row is ours).
constexpr int kMaxText = 64;

QVariant text(const QString &value) {
    return value.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(value.left(kMaxText));
}

const QString kColumns = QStringLiteral(
    "discord_id, username, global_name, avatar, request_status, request_attempts, refused_logins, "
    "first_attempt_at, last_attempt_at, last_login_at, decided_at, decided_by");

AccessRequest readRequest(const QSqlQuery &q) {
    AccessRequest r;
    r.profile = {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString()};
    r.status = q.value(4).toString();
    r.attempts = q.value(5).toInt();
    r.refusedLogins = q.value(6).toInt();
    r.firstAttemptAt = utcDateTime(q.value(7));
    r.lastAttemptAt = utcDateTime(q.value(8));
    r.lastLoginAt = utcDateTime(q.value(9));
    r.decidedAt = utcDateTime(q.value(10));
    r.decidedBy = q.value(11).toString();
    return r;
}

std::optional<AccessRequest> selectRow(QSqlDatabase &db, const QString &id) {
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM discord_profiles WHERE discord_id = ?").arg(kColumns), {id});
    if (!q.next())
        return std::nullopt;
    return readRequest(q);
}

// Inserts the profile row or refreshes its Discord fields and last_login_at; `extra` is appended to the
// UPDATE's SET list and `insertExtra` gives the new row's request columns.
void upsertProfile(QSqlDatabase &db, const DiscordProfile &p, bool exists, const QString &extraSet,
                   const QString &insertColumns, const QString &insertValues) {
    const QVariantList fields{text(p.username), text(p.globalName), text(p.avatar)};
    if (exists) {
        exec(db,
             QStringLiteral("UPDATE discord_profiles SET username = ?, global_name = ?, avatar = ?, "
                            "last_login_at = CURRENT_TIMESTAMP%1 WHERE discord_id = ?")
                 .arg(extraSet.isEmpty() ? QString() : QStringLiteral(", ") + extraSet),
             fields + QVariantList{p.id});
    } else {
        exec(db,
             QStringLiteral("INSERT INTO discord_profiles (discord_id, username, global_name, avatar, "
                            "last_login_at%1) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP%2)")
                 .arg(insertColumns.isEmpty() ? QString() : QStringLiteral(", ") + insertColumns,
                      insertValues.isEmpty() ? QString() : QStringLiteral(", ") + insertValues),
             QVariantList{p.id} + fields);
    }
}

// Keeps at most `max` pending or denied requests, dropping those whose last attempt is oldest. Approved
// rows belong to users and are never pruned.
void prune(QSqlDatabase &db, int max, const QString &keep) {
    QSqlQuery count = exec(db, QStringLiteral("SELECT COUNT(*) FROM discord_profiles "
                                              "WHERE request_status IN ('pending', 'denied')"));
    const qint64 excess = count.next() ? count.value(0).toLongLong() - max : 0;
    if (excess <= 0)
        return;
    QSqlQuery oldest = exec(db,
                            QStringLiteral("SELECT discord_id FROM discord_profiles WHERE request_status IN "
                                           "('pending', 'denied') AND discord_id <> ? "
                                           "ORDER BY last_attempt_at, discord_id LIMIT ?"),
                            {keep, excess});
    QVariantList ids;
    while (oldest.next())
        ids << oldest.value(0);
    for (const QVariant &id : ids)
        exec(db, QStringLiteral("DELETE FROM discord_profiles WHERE discord_id = ?"), {id});
}

} // namespace

QString DiscordProfileRepository::fixedName(const QString &id) {
    if (id == QLatin1String("superuser"))
        return QStringLiteral("Superuser");
    if (id == QLatin1String("demo_user"))
        return QStringLiteral("Demo User");
    return {};
}

QFuture<void> DiscordProfileRepository::recordLogin(const DiscordProfile &profile) {
    return m_db.run<void>([profile](QSqlDatabase &db) {
        transaction<void>(db, [&](QSqlDatabase &) {
            const auto row = selectRow(db, profile.id);
            upsertProfile(db, profile, row.has_value(),
                          row && (row->status == QLatin1String("pending") || row->status == "denied")
                              ? QStringLiteral("request_status = 'approved', decided_at = CURRENT_TIMESTAMP")
                              : QString(),
                          {}, {});
        });
    });
}

QFuture<RefusalRecorded> DiscordProfileRepository::recordUnknownRefusal(const DiscordProfile &profile,
                                                                        int maxRequests) {
    return m_db.run<RefusalRecorded>([profile, maxRequests](QSqlDatabase &db) {
        // Refusals on different pool connections would each count the requests without the others'
        // uncommitted rows (MariaDB's repeatable read), and together overshoot the cap: one at a time, on a
        // pool thread.
        static QMutex oneAtATime;
        const QMutexLocker lock(&oneAtATime);
        return transaction<RefusalRecorded>(db, [&](QSqlDatabase &) {
            const auto row = selectRow(db, profile.id);
            RefusalRecorded result;
            // A request that was approved but whose id has no role again (the users row is gone) reopens.
            result.isNew = !row || row->status.isEmpty() || row->status == QLatin1String("approved");
            const QString reopen = QStringLiteral(
                "request_status = 'pending', request_attempts = 1, first_attempt_at = CURRENT_TIMESTAMP, "
                "last_attempt_at = CURRENT_TIMESTAMP, decided_at = NULL, decided_by = NULL");
            const QString retry = QStringLiteral(
                "request_attempts = request_attempts + 1, last_attempt_at = CURRENT_TIMESTAMP");
            upsertProfile(
                db, profile, row.has_value(), result.isNew ? reopen : retry,
                QStringLiteral("request_status, request_attempts, first_attempt_at, last_attempt_at"),
                QStringLiteral("'pending', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"));
            if (result.isNew)
                prune(db, maxRequests, profile.id);
            result.request = *selectRow(db, profile.id);
            return result;
        });
    });
}

QFuture<void> DiscordProfileRepository::recordDisabledRefusal(const DiscordProfile &profile) {
    return m_db.run<void>([profile](QSqlDatabase &db) {
        transaction<void>(db, [&](QSqlDatabase &) {
            upsertProfile(db, profile, selectRow(db, profile.id).has_value(),
                          QStringLiteral("refused_logins = refused_logins + 1"),
                          QStringLiteral("refused_logins"), QStringLiteral("1"));
        });
    });
}

QFuture<AccessRequestPage> DiscordProfileRepository::listRequests(const QString &status, int offset,
                                                                  int limit) {
    return m_db.run<AccessRequestPage>([status, offset, limit](QSqlDatabase &db) {
        const QString where = status.isEmpty() ? QStringLiteral("request_status IS NOT NULL")
                                               : QStringLiteral("request_status = ?");
        const QVariantList binds = status.isEmpty() ? QVariantList{} : QVariantList{status};
        AccessRequestPage page;
        QSqlQuery count =
            exec(db, QStringLiteral("SELECT COUNT(*) FROM discord_profiles WHERE ") + where, binds);
        if (count.next())
            page.total = count.value(0).toLongLong();
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT %1 FROM discord_profiles WHERE %2 "
                                          "ORDER BY last_attempt_at DESC, discord_id LIMIT ? OFFSET ?")
                               .arg(kColumns, where),
                           binds + QVariantList{limit, offset});
        while (q.next())
            page.requests.append(readRequest(q));
        return page;
    });
}

QFuture<std::optional<AccessRequest>> DiscordProfileRepository::findRequest(const QString &id) {
    return m_db.run<std::optional<AccessRequest>>([id](QSqlDatabase &db) -> std::optional<AccessRequest> {
        auto row = selectRow(db, id);
        if (!row || row->status.isEmpty())
            return std::nullopt;
        return row;
    });
}

QFuture<bool> DiscordProfileRepository::decide(const QString &id, const QString &status,
                                               const QString &decidedBy, const QStringList &from) {
    return m_db.run<bool>([id, status, decidedBy, from](QSqlDatabase &db) {
        QVariantList binds{status, text(decidedBy), id};
        QString condition = QStringLiteral("request_status IS NOT NULL");
        if (!from.isEmpty()) {
            condition = QStringLiteral("request_status IN (%1)")
                            .arg(QStringList(from.size(), QStringLiteral("?")).join(", "));
            for (const QString &s : from)
                binds << s;
        }
        QSqlQuery q = exec(db,
                           QStringLiteral("UPDATE discord_profiles SET request_status = ?, decided_by = ?, "
                                          "decided_at = CURRENT_TIMESTAMP WHERE discord_id = ? AND %1")
                               .arg(condition),
                           binds);
        return q.numRowsAffected() > 0;
    });
}

QFuture<QHash<QString, QString>> DiscordProfileRepository::displayNames(const QStringList &ids) {
    QStringList wanted;
    QHash<QString, QString> fixed;
    for (const QString &id : ids) {
        if (const QString name = fixedName(id); !name.isEmpty())
            fixed.insert(id, name);
        else if (!id.isEmpty() && !wanted.contains(id))
            wanted << id;
    }
    if (wanted.isEmpty())
        return QtFuture::makeReadyFuture(fixed);
    return m_db.run<QHash<QString, QString>>([wanted, fixed](QSqlDatabase &db) {
        QHash<QString, QString> names = fixed;
        // In slices, so a long queue never builds one huge statement.
        constexpr int kSlice = 200;
        for (int start = 0; start < wanted.size(); start += kSlice) {
            const QStringList slice = wanted.mid(start, kSlice);
            QVariantList binds;
            for (const QString &id : slice)
                binds << id;
            QSqlQuery q =
                exec(db,
                     QStringLiteral("SELECT discord_id, username, global_name FROM discord_profiles "
                                    "WHERE discord_id IN (%1)")
                         .arg(QStringList(slice.size(), QStringLiteral("?")).join(", ")),
                     binds);
            while (q.next()) {
                const DiscordProfile p{
                    q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), {}};
                if (!p.displayName().isEmpty())
                    names.insert(p.id, p.displayName());
            }
        }
        return names;
    });
}

} // namespace nav::store
