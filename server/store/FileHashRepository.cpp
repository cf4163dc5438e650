#include "server/store/FileHashRepository.h"

#include <QSqlError>
#include <QSqlQuery>

namespace nav::store {

namespace {
const QString kTimestampFormat = QStringLiteral("yyyy-MM-dd HH:mm:ss");
}

QFuture<std::optional<FileHash>> FileHashRepository::find(const QString &fileName) {
    return m_db.run<std::optional<FileHash>>([fileName](QSqlDatabase &db) -> std::optional<FileHash> {
        QSqlQuery query(db);
        query.prepare(
            QStringLiteral("SELECT sha256_sum, created_at FROM file_sha256_cache WHERE file_name = ?"));
        query.addBindValue(fileName);
        if (!query.exec())
            throw DbError(query.lastError().text());
        if (!query.next())
            return std::nullopt;
        const QVariant created = query.value(1);
        QDateTime createdAt = created.metaType().id() == QMetaType::QDateTime
                                  ? created.toDateTime()
                                  : QDateTime::fromString(created.toString().left(19), kTimestampFormat);
        return FileHash{query.value(0).toString(), createdAt};
    });
}

QFuture<bool> FileHashRepository::save(const QString &fileName, const QString &sha256) {
    return m_db.run<bool>([fileName, sha256](QSqlDatabase &db) {
        const QString now = QDateTime::currentDateTime().toString(kTimestampFormat);
        auto exec = [&db](const QString &sql, const QVariantList &values) {
            QSqlQuery query(db);
            query.prepare(sql);
            for (const QVariant &value : values)
                query.addBindValue(value);
            if (!query.exec())
                throw DbError(query.lastError().text());
        };
        exec(QStringLiteral("DELETE FROM file_sha256_cache WHERE file_name = ?"), {fileName});
        exec(QStringLiteral(
                 "INSERT INTO file_sha256_cache (file_name, sha256_sum, created_at) VALUES (?, ?, ?)"),
             {fileName, sha256, now});
        return true;
    });
}

} // namespace nav::store
