#pragma once
// The `file_sha256_cache` table: SHA-256 sums of model files by file name, so big files are hashed once.
#include "server/store/Database.h"

#include <QDateTime>
#include <QFuture>
#include <QString>

#include <optional>

namespace nav::store {

struct FileHash {
    QString sha256;
    QDateTime createdAt; // local time
};

class FileHashRepository final {
public:
    explicit FileHashRepository(Database &db) : m_db(db) {}
    QFuture<std::optional<FileHash>> find(const QString &fileName);
    QFuture<bool> save(const QString &fileName, const QString &sha256); // replaces an older sum

private:
    Database &m_db;
};

} // namespace nav::store
