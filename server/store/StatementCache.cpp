#include "server/store/StatementCache.h"

#include <algorithm>

namespace nav::store {

namespace {

// The cache the job running on this thread uses, and its connection's name.
thread_local StatementCache *t_active = nullptr;
thread_local QString t_activeName;

} // namespace

QSqlQuery sharedHandle(const QSqlQuery &query) {
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    return QSqlQuery(query);
    QT_WARNING_POP
}

StatementCache::Scope::Scope(StatementCache &cache, const QSqlDatabase &db) {
    t_active = &cache;
    t_activeName = db.connectionName();
}

StatementCache::Scope::~Scope() {
    t_active->finishAll();
    t_active = nullptr;
    t_activeName.clear();
}

StatementCache *StatementCache::active(const QSqlDatabase &db) {
    return t_active && db.connectionName() == t_activeName ? t_active : nullptr;
}

std::optional<QSqlQuery> StatementCache::find(const QString &sql) {
    const auto it = m_statements.find(sql);
    if (it == m_statements.end())
        return std::nullopt;
    // Rows of an active SELECT may still be read by whoever ran it: executing it again would move them.
    if (it->second.query.isActive() && it->second.query.isSelect())
        return std::nullopt;
    it->second.lastUse = ++m_uses;
    return sharedHandle(it->second.query);
}

void StatementCache::keep(const QString &sql, const QSqlQuery &query) {
    if (qsizetype(m_statements.size()) >= kCapacity && m_statements.count(sql) == 0) {
        const auto oldest =
            std::min_element(m_statements.begin(), m_statements.end(), [](const auto &a, const auto &b) {
                return a.second.lastUse < b.second.lastUse;
            });
        m_statements.erase(oldest);
    }
    m_statements.insert_or_assign(sql, Statement{sharedHandle(query), ++m_uses});
}

void StatementCache::finishAll() {
    for (auto &[sql, statement] : m_statements)
        if (statement.query.isActive())
            statement.query.finish();
}

} // namespace nav::store
