#pragma once
// The `models` table: checkpoints Navigator knows, with a friendly name and a restriction flag.
#include "server/store/Database.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <optional>

namespace nav::store {

struct KnownModel {
    int id = 0;
    QString modelName;
    std::optional<QString> friendlyName; // NULL in the table
    bool isRestricted = false;
};

class ModelRepository final {
public:
    explicit ModelRepository(Database &db) : m_db(db) {}
    QFuture<QList<KnownModel>> all();

private:
    Database &m_db;
};

} // namespace nav::store
