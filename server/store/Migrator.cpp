#include "server/store/Migrator.h"

#include "server/store/SqlScript.h"
#include "server/store/StoreLogging_p.h"

#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>

namespace nav::store {

std::optional<Migrator::Step> Migrator::stepOf(const QString &folder, const QString &file) {
    // Parsed by hand (see Config::sdApiBaseOf for why not with a QRegularExpression).
    const QLatin1String extension(".sql");
    if (!file.startsWith(QLatin1Char('v')) || !file.endsWith(extension))
        return std::nullopt;
    const qsizetype underscore = file.indexOf(QLatin1Char('_'));
    const qsizetype nameStart = underscore + 1;
    const qsizetype nameEnd = file.size() - extension.size();
    if (underscore < 2 || nameStart >= nameEnd)
        return std::nullopt;
    for (qsizetype i = 1; i < underscore; ++i)
        if (file.at(i) < QLatin1Char('0') || file.at(i) > QLatin1Char('9'))
            return std::nullopt;
    return Step{file.mid(1, underscore - 1).toInt(), file.mid(nameStart, nameEnd - nameStart),
                folder + '/' + file};
}

QList<Migrator::Step> Migrator::available() const {
    const QString folder = QStringLiteral(":/migrations/") + m_dialect;
    QList<Step> steps;
    // No name filter: QDir matches those with a QRegularExpression; stepOf skips what is not a migration.
    for (const QString &file : QDir(folder).entryList(QDir::Files)) {
        if (auto step = stepOf(folder, file))
            steps.append(*step);
    }
    std::sort(steps.begin(), steps.end(), [](const Step &a, const Step &b) { return a.version < b.version; });
    return steps;
}

int Migrator::currentVersion() const {
    if (!m_db.tables().contains(QStringLiteral("migrations")))
        return 0;
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT MAX(migration_id) FROM migrations")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

bool Migrator::run(QString *error) {
    const QList<Step> steps = available();
    if (steps.isEmpty()) {
        *error = QStringLiteral("no migrations are compiled into this build");
        return false;
    }
    const int current = currentVersion();
    const int latest = steps.last().version;
    if (current > latest) {
        *error = QStringLiteral("the database is at migration v%1, newer than this Navigator knows (v%2); "
                                "upgrade Navigator or restore a backup")
                     .arg(current)
                     .arg(latest);
        return false;
    }
    if (current == latest) {
        qCInfo(lcStore) << "database schema is up to date at version" << current;
        return true;
    }
    qCInfo(lcStore) << "database schema is at version" << current << "- migrating to" << latest;
    for (const Step &step : steps) {
        if (step.version > current && !apply(step, error))
            return false;
    }
    return true;
}

bool Migrator::apply(const Step &step, QString *error) {
    QFile file(step.resource);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read migration %1").arg(step.resource);
        return false;
    }
    const QStringList statements = splitSqlScript(QString::fromUtf8(file.readAll()));
    // SQLite runs each migration atomically. MySQL commits DDL implicitly, so there the transaction only
    // covers the data changes and the bookkeeping row.
    m_db.transaction();
    QSqlQuery query(m_db);
    for (const QString &statement : statements) {
        if (!query.exec(statement)) {
            *error = QStringLiteral("migration v%1 (%2) failed: %3 [%4]")
                         .arg(step.version)
                         .arg(step.name, query.lastError().text(), statement.simplified().left(200));
            m_db.rollback();
            return false;
        }
    }
    query.prepare(QStringLiteral("INSERT INTO migrations (migration_id) VALUES (?)"));
    query.addBindValue(step.version);
    if (!query.exec() || !m_db.commit()) {
        *error = QStringLiteral("recording migration v%1 failed: %2")
                     .arg(step.version)
                     .arg(query.lastError().text());
        m_db.rollback();
        return false;
    }
    qCInfo(lcStore).noquote()
        << QStringLiteral("applied migration v%1 (%2)").arg(step.version).arg(step.name);
    return true;
}

} // namespace nav::store
