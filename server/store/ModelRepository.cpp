#include "server/store/ModelRepository.h"

#include <QSqlError>
#include <QSqlQuery>

namespace nav::store {

QFuture<QList<KnownModel>> ModelRepository::all() {
    return m_db.run<QList<KnownModel>>([](QSqlDatabase &db) {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        if (!query.exec(QStringLiteral(
                "SELECT id, model_name, friendly_name, is_restricted FROM models ORDER BY id")))
            throw DbError(query.lastError().text());
        QList<KnownModel> models;
        while (query.next()) {
            KnownModel model;
            model.id = query.value(0).toInt();
            model.modelName = query.value(1).toString();
            if (!query.value(2).isNull())
                model.friendlyName = query.value(2).toString();
            model.isRestricted = query.value(3).toInt() != 0;
            models.append(model);
        }
        return models;
    });
}

} // namespace nav::store
