#pragma once
// Applies the numbered migrations compiled in from migrations/<dialect>/vN_name.sql. The applied versions are
// recorded in the `migrations` table exactly as the original Navigator does (one row per migration_id), so a
// database the original created is picked up at whatever version it reached and upgraded in place.
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace nav::store {

class Migrator {
public:
    Migrator(QSqlDatabase db, QString dialect) : m_db(std::move(db)), m_dialect(std::move(dialect)) {}

    struct Step {
        int version;
        QString name;
        QString resource;
    };
    // Every migration known to this build, in order.
    QList<Step> available() const;
    // The step a file named v<digits>_<name>.sql in folder stands for; nullopt for any other name.
    static std::optional<Step> stepOf(const QString &folder, const QString &file);
    // The highest applied version (0 for an empty database).
    int currentVersion() const;
    // Applies what is pending. Returns false with a message on failure.
    bool run(QString *error);

private:
    bool apply(const Step &step, QString *error);

    QSqlDatabase m_db;
    QString m_dialect;
};

} // namespace nav::store
