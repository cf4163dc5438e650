#include "server/store/ModelMetadataRepository.h"

#include <QSqlError>
#include <QSqlQuery>

namespace nav::store {

namespace {

const QString kTimestampFormat = QStringLiteral("yyyy-MM-dd HH:mm:ss");

// SQLite hands DATETIME columns back as text; MariaDB as QDateTime.
QDateTime readTimestamp(const QVariant &value) {
    if (value.metaType().id() == QMetaType::QDateTime)
        return value.toDateTime();
    QDateTime parsed = QDateTime::fromString(value.toString().left(19), kTimestampFormat);
    return parsed.isValid() ? parsed : value.toDateTime();
}

} // namespace

QFuture<std::optional<ModelMetadata>> ModelMetadataRepository::find(const QString &hash) {
    return m_db.run<std::optional<ModelMetadata>>([hash](QSqlDatabase &db) -> std::optional<ModelMetadata> {
        QSqlQuery query(db);
        query.prepare(
            QStringLiteral("SELECT hash, model_type, metadata_cache, metadata_provider, metadata_id, "
                           "metadata_updated_at, updates_disabled FROM model_metadata WHERE hash = ?"));
        query.addBindValue(hash);
        if (!query.exec())
            throw DbError(query.lastError().text());
        if (!query.next())
            return std::nullopt;
        ModelMetadata row;
        row.hash = query.value(0).toString();
        row.modelType = query.value(1).toInt();
        row.metadata = QByteArray::fromBase64(query.value(2).toByteArray()); // skips TO_BASE64's line breaks
        row.provider = query.value(3).toInt();
        if (!query.value(4).isNull())
            row.metadataId = query.value(4).toLongLong();
        row.updatedAt = readTimestamp(query.value(5));
        row.updatesDisabled = query.value(6).toInt() != 0;
        return row;
    });
}

QFuture<bool> ModelMetadataRepository::save(const ModelMetadata &row) {
    return m_db.run<bool>([row](QSqlDatabase &db) {
        const QString now = QDateTime::currentDateTime().toString(kTimestampFormat);
        const QVariant metadataId = row.metadataId ? QVariant(*row.metadataId) : QVariant();
        const QString cache = QString::fromLatin1(row.metadata.toBase64());
        auto update = [&] {
            QSqlQuery query(db);
            query.prepare(QStringLiteral("UPDATE model_metadata SET model_type = ?, metadata_cache = ?, "
                                         "metadata_provider = ?, metadata_id = ?, metadata_updated_at = ? "
                                         "WHERE hash = ?"));
            for (const QVariant &value : {QVariant(row.modelType), QVariant(cache), QVariant(row.provider),
                                          metadataId, QVariant(now), QVariant(row.hash)})
                query.addBindValue(value);
            if (!query.exec())
                throw DbError(query.lastError().text());
        };
        // (MariaDB reports 0 affected rows for an UPDATE that changes nothing, so existence is asked first.)
        QSqlQuery exists(db);
        exists.prepare(QStringLiteral("SELECT 1 FROM model_metadata WHERE hash = ?"));
        exists.addBindValue(row.hash);
        if (!exists.exec())
            throw DbError(exists.lastError().text());
        if (exists.next()) {
            update();
            return true;
        }
        QSqlQuery insert(db);
        insert.prepare(
            QStringLiteral("INSERT INTO model_metadata (hash, model_type, metadata_cache, "
                           "metadata_provider, metadata_id, metadata_updated_at) VALUES (?, ?, ?, ?, ?, ?)"));
        for (const QVariant &value : {QVariant(row.hash), QVariant(row.modelType), QVariant(cache),
                                      QVariant(row.provider), metadataId, QVariant(now)})
            insert.addBindValue(value);
        // A concurrent save may have inserted the row first (hash is unique): then update it.
        if (!insert.exec())
            update();
        return true;
    });
}

} // namespace nav::store
